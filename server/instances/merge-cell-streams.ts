/**
 * The k-way merge behind the cross-cell list (nova/compute/multi_cell_list.py, done with
 * keyset batches): every cell is asked at once for one batch after the global marker;
 * a heap keyed by each cell's next row emits rows in the global order; a cell is asked
 * for its next batch (after its own last row) only when its buffer runs dry and its
 * last batch was full.
 *
 * A cell that stops answering on a refill ends the page right there: every row emitted
 * so far is complete and in order (that cell's remaining rows all sort after its last
 * emitted row, and nothing later than that was emitted), so the next page, started from
 * the last row, loses nothing once the cell answers again.
 */
import { MinHeap } from './min-heap';
import type { Position } from './sort-order';

export interface CellAsk<C> {
  cell: C;
  after: Position | null;
  limit: number;
}

export type CellAnswer<R, D> = { ok: true; rows: R[] } | { ok: false; down: D };

export interface MergeInput<C, R extends Position, D> {
  cells: readonly C[];
  /** The global marker: every cell starts strictly after it. */
  after: Position | null;
  limit: number;
  batchSize: number;
  compare: (a: R, b: R) => number;
  /** One round: the given cells, all at once; answers in the same order as the asks. */
  fetchRound: (asks: CellAsk<C>[]) => Promise<CellAnswer<R, D>[]>;
}

export interface MergeResult<C, R, D> {
  rows: { cell: C; row: R }[];
  /** Rows may follow the last one (a full page, or a page cut short by a failing cell). */
  more: boolean;
  /** Cells that did not answer: at the first round (none of their rows are in the page) or on a refill. */
  failed: { cell: C; down: D; onRefill: boolean }[];
  /** True when a cell failed on a refill and the page stopped early. */
  endedEarly: boolean;
  rounds: number;
}

interface Stream<C, R> {
  cell: C;
  buffer: R[];
  pos: number;
  /** The last batch was short: the cell has nothing more after it. */
  exhausted: boolean;
}

export async function mergeCellStreams<C, R extends Position, D>(input: MergeInput<C, R, D>): Promise<MergeResult<C, R, D>> {
  const { cells, limit, batchSize, compare, fetchRound } = input;
  const failed: MergeResult<C, R, D>['failed'] = [];
  const rows: MergeResult<C, R, D>['rows'] = [];
  if (cells.length === 0 || limit <= 0) return { rows, more: false, failed, endedEarly: false, rounds: 0 };

  const first = await fetchRound(cells.map((cell) => ({ cell, after: input.after, limit: batchSize })));
  let rounds = 1;
  const heap = new MinHeap<Stream<C, R>>((a, b) => compare(a.buffer[a.pos]!, b.buffer[b.pos]!) < 0);
  const streams: Stream<C, R>[] = [];
  cells.forEach((cell, i) => {
    const answer = first[i]!;
    if (!answer.ok) {
      failed.push({ cell, down: answer.down, onRefill: false });
      return;
    }
    const s: Stream<C, R> = { cell, buffer: answer.rows, pos: 0, exhausted: answer.rows.length < batchSize };
    streams.push(s);
    if (s.buffer.length > 0) heap.push(s);
  });

  let endedEarly = false;
  while (rows.length < limit && heap.size > 0) {
    const s = heap.pop()!;
    const row = s.buffer[s.pos++]!;
    rows.push({ cell: s.cell, row });
    if (s.pos < s.buffer.length) {
      heap.push(s);
      continue;
    }
    if (s.exhausted || rows.length >= limit) continue;
    const ask = Math.min(batchSize, limit - rows.length);
    const [answer] = await fetchRound([{ cell: s.cell, after: row, limit: ask }]);
    rounds++;
    if (!answer!.ok) {
      failed.push({ cell: s.cell, down: answer!.down, onRefill: true });
      endedEarly = true;
      break;
    }
    s.buffer = answer!.rows;
    s.pos = 0;
    s.exhausted = answer!.rows.length < ask;
    if (s.buffer.length > 0) heap.push(s);
  }

  const more = endedEarly || heap.size > 0 || streams.some((s) => !s.exhausted && s.pos >= s.buffer.length && s.buffer.length > 0);
  return { rows, more: rows.length > 0 && more, failed, endedEarly, rounds };
}
