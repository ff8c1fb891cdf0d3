import 'server-only';
/**
 * Which cells a run works on, in order: cell0 first, then the others in nova's id order;
 * and the per-cell asks, each through the fan-out under a deadline: the plan read (which
 * also tells a cell that does not answer within the ordinary deadline) and the batches (a
 * longer one, the statements bounded on the server just under it).
 */
import type { CellWork } from '@/db/fanout';
import type { CellRef } from '@/db/registry';
import { askOneCellOutcome } from '../cells/ask-one-cell';
import { cellNotFound } from '../cells/cell-ref';
import { type CellMapping, readCellMappings } from '../cells/mappings';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { CELL0_UUID } from '../nova/constants';

/** A batch may take this long at least (the ordinary fan-out deadline is for reads). */
export const BATCH_DEADLINE_MS = 60_000;

export type CellAnswer<T> = { ok: true; value: T } | { ok: false; message: string };

/** All cells (cell0 first) or the one named; the api database not answering is nova's rc 3 (`apiExit`). */
export async function cellsToArchive(deps: Deps, opts: { cellUuid?: string | null; apiExit: number; apiMessage: string }): Promise<CellMapping[]> {
  let all: CellMapping[];
  try {
    all = await readCellMappings(deps.api);
  } catch {
    throw refuse.unavailable(opts.apiMessage, opts.apiExit);
  }
  if (opts.cellUuid) {
    const one = all.find((c) => c.uuid === opts.cellUuid);
    if (!one) throw cellNotFound(opts.cellUuid, 255);
    return [one];
  }
  return [...all.filter((c) => c.uuid === CELL0_UUID), ...all.filter((c) => c.uuid !== CELL0_UUID)];
}

/** Ask one cell; a cell that does not answer is an answer too (reported, skipped), never a hang. */
export async function askCell<T>(deps: Deps, cell: CellRef, work: (w: CellWork) => Promise<T>, deadlineMs = deps.deadlineMs): Promise<CellAnswer<T>> {
  const o = await askOneCellOutcome(deps, cell, work, { deadlineMs });
  if (o.status === 'up') return { ok: true, value: o.value };
  return { ok: false, message: `${o.reason}: ${o.message}` };
}

export const batchDeadline = (deps: Pick<Deps, 'deadlineMs'>) => Math.max(deps.deadlineMs, BATCH_DEADLINE_MS);
/** The server cancels a batch's statement this long before the caller stops waiting, so it rolls back. */
export const batchStatementTimeout = (deps: Pick<Deps, 'deadlineMs'>) => batchDeadline(deps) - 1000;
