import 'server-only';
/**
 * Ask one cell under the fan-out's deadline, for a write or a read that cannot go on
 * without it: its answer, or the one "does not answer" refusal, saying what was not done.
 * A refusal the work itself throws (a CellarError: a missing privilege, a precondition) is
 * the caller's answer, not a cell that is down: it is carried past the fan-out and thrown.
 */
import { type CellOutcome, type CellWork, fanOut } from '@/db/fanout';
import type { CellRef } from '@/db/registry';
import type { Deps } from '../deps';
import { isCellarError, refuse } from '../errors';
import { cellLabel } from './cell-ref';

export interface AskOneCellOptions {
  /** What was (not) done because it did not answer, e.g. "nothing was deleted". */
  consequence: string;
  /** The verb's exit code for it (nova: 1; map_instances: 255). */
  exitCode?: number;
  deadlineMs?: number;
  details?: Record<string, unknown>;
}

type Attempt<T> = { ok: T } | { refusal: unknown };

/**
 * The one cell's fan-out outcome: its value, or `down` with the reason. For a read that
 * shows a down cell instead of refusing (cell0's pages). A refusal thrown by the work is
 * thrown here, as in askOneCell.
 */
export async function askOneCellOutcome<T>(
  deps: Pick<Deps, 'registry' | 'deadlineMs'>,
  cell: CellRef,
  work: (w: CellWork) => Promise<T>,
  opts: { deadlineMs?: number } = {},
): Promise<CellOutcome<T>> {
  const [outcome] = await fanOut<Attempt<T>>(
    deps.registry,
    [cell],
    async (w) => {
      try {
        return { ok: await work(w) };
      } catch (e) {
        if (isCellarError(e)) return { refusal: e };
        throw e;
      }
    },
    { deadlineMs: opts.deadlineMs ?? deps.deadlineMs },
  );
  const o = outcome ?? { cell: { uuid: cell.uuid, name: cell.name }, status: 'down', reason: 'error', message: 'no answer', elapsedMs: 0 };
  if (o.status === 'down') return o;
  if ('refusal' in o.value) throw o.value.refusal;
  return { ...o, value: o.value.ok };
}

export async function askOneCell<T>(
  deps: Pick<Deps, 'registry' | 'deadlineMs'>,
  cell: CellRef,
  work: (w: CellWork) => Promise<T>,
  opts: AskOneCellOptions,
): Promise<T> {
  const outcome = await askOneCellOutcome(deps, cell, work, { deadlineMs: opts.deadlineMs });
  if (outcome.status === 'up') return outcome.value;
  throw refuse.unavailable(`Cell ${cellLabel(cell)} does not answer (${outcome.reason}: ${outcome.message}); ${opts.consequence}.`, opts.exitCode ?? 1, {
    cellUuid: cell.uuid,
    reason: outcome.reason,
    ...opts.details,
  });
}
