/**
 * The merge algorithm on its own, over in-memory cells (the SQL side is covered by the
 * integration and property tests on PostgreSQL): what is asked of which cell and when,
 * and what a failing cell does to the page.
 */
import { describe, expect, it } from 'vitest';
import { type CellAnswer, type CellAsk, mergeCellStreams } from './merge-cell-streams';
import { comparePositions, type Position } from './sort-order';

type Row = Position;
const cmp = (a: Row, b: Row) => comparePositions('asc', a, b);

/** Cells as sorted arrays; answers keyset reads like the database would; records every ask. */
function cells(data: Record<string, number[]>, failing: Record<string, number> = {}) {
  const sorted = Object.fromEntries(
    Object.entries(data).map(([c, xs]) => [c, xs.map((x) => ({ sortValue: String(x).padStart(4, '0'), uuid: `${c}-${x}` })).sort(cmp)]),
  );
  const asks: { cell: string; after: Position | null; limit: number }[] = [];
  const calls: Record<string, number> = {};
  const fetchRound = async (round: CellAsk<string>[]): Promise<CellAnswer<Row, string>[]> =>
    round.map((a) => {
      asks.push(a);
      calls[a.cell] = (calls[a.cell] ?? 0) + 1;
      if (failing[a.cell] !== undefined && calls[a.cell]! >= failing[a.cell]!) return { ok: false, down: `${a.cell} is down` };
      const rows = sorted[a.cell]!.filter((r) => !a.after || cmp(r, a.after) > 0).slice(0, a.limit);
      return { ok: true, rows };
    });
  return { names: Object.keys(data), fetchRound, asks, all: Object.values(sorted).flat().sort(cmp) };
}

describe('mergeCellStreams', () => {
  it('merges cells in the global order and asks every cell once up front', async () => {
    const c = cells({ a: [1, 4, 7], b: [2, 5, 8], c: [3, 6, 9] });
    const r = await mergeCellStreams({ cells: c.names, after: null, limit: 5, batchSize: 10, compare: cmp, fetchRound: c.fetchRound });
    expect(r.rows.map((x) => x.row.uuid)).toEqual(['a-1', 'b-2', 'c-3', 'a-4', 'b-5']);
    expect(r.rounds).toBe(1);
    expect(r.more).toBe(true);
    expect(c.asks.map((a) => a.cell)).toEqual(['a', 'b', 'c']);
  });

  it('refills a cell only when its buffer runs dry and its last batch was full, from its own last row', async () => {
    const c = cells({ a: [1, 2, 3, 4, 5, 6], b: [100] });
    const r = await mergeCellStreams({ cells: c.names, after: null, limit: 5, batchSize: 2, compare: cmp, fetchRound: c.fetchRound });
    expect(r.rows.map((x) => x.row.uuid)).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
    // b's first batch was short (exhausted): it is never asked again.
    expect(c.asks.filter((a) => a.cell === 'b')).toHaveLength(1);
    const refills = c.asks.filter((a) => a.cell === 'a').slice(1);
    expect(refills.map((a) => a.after?.uuid)).toEqual(['a-2', 'a-4']);
    // the last refill asks only for what the page still needs
    expect(refills.map((a) => a.limit)).toEqual([2, 1]);
  });

  it('ends at the last row with no next page when every cell is exhausted', async () => {
    const c = cells({ a: [1, 3], b: [2] });
    const r = await mergeCellStreams({ cells: c.names, after: null, limit: 10, batchSize: 5, compare: cmp, fetchRound: c.fetchRound });
    expect(r.rows).toHaveLength(3);
    expect(r.more).toBe(false);
  });

  it('starts every cell strictly after the global marker', async () => {
    const c = cells({ a: [1, 3, 5], b: [2, 4, 6] });
    const marker = { sortValue: '0003', uuid: 'a-3' };
    const r = await mergeCellStreams({ cells: c.names, after: marker, limit: 10, batchSize: 5, compare: cmp, fetchRound: c.fetchRound });
    expect(r.rows.map((x) => x.row.uuid)).toEqual(['b-4', 'a-5', 'b-6']);
  });

  it('leaves out a cell that fails the first round and still pages the others', async () => {
    const c = cells({ a: [1, 3, 5], b: [2, 4, 6] }, { b: 1 });
    const r = await mergeCellStreams({ cells: c.names, after: null, limit: 2, batchSize: 5, compare: cmp, fetchRound: c.fetchRound });
    expect(r.rows.map((x) => x.row.uuid)).toEqual(['a-1', 'a-3']);
    expect(r.failed).toEqual([{ cell: 'b', down: 'b is down', onRefill: false }]);
    expect(r.endedEarly).toBe(false);
    expect(r.more).toBe(true);
  });

  it('stops the page at the last complete row when a cell fails on a refill, so the next page loses nothing', async () => {
    const c = cells({ a: [10, 20, 30, 40, 50], b: [15, 100] }, { a: 2 });
    const r = await mergeCellStreams({ cells: c.names, after: null, limit: 5, batchSize: 2, compare: cmp, fetchRound: c.fetchRound });
    expect(r.rows.map((x) => x.row.uuid)).toEqual(['a-10', 'b-15', 'a-20']);
    expect(r.failed).toEqual([{ cell: 'a', down: 'a is down', onRefill: true }]);
    expect(r.endedEarly).toBe(true);
    expect(r.more).toBe(true);
    // Once a answers again, the page after a-2 holds exactly the rows not yet seen.
    const again = cells({ a: [10, 20, 30, 40, 50], b: [15, 100] });
    const next = await mergeCellStreams({ cells: again.names, after: r.rows.at(-1)!.row, limit: 10, batchSize: 2, compare: cmp, fetchRound: again.fetchRound });
    expect([...r.rows, ...next.rows].map((x) => x.row.uuid)).toEqual(c.all.map((x) => x.uuid));
  });

  it('returns nothing for no cells', async () => {
    const r = await mergeCellStreams<string, Row, string>({ cells: [], after: null, limit: 5, batchSize: 5, compare: cmp, fetchRound: async () => [] });
    expect(r).toMatchObject({ rows: [], more: false, rounds: 0 });
  });
});
