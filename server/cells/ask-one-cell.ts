/**
 * Ask one cell under the fan-out's deadline, for a write or a read that cannot go on
 * without it: its answer, or the one "does not answer" refusal, saying what was not done.
 */
import { type CellWork, fanOut } from '@/db/fanout';
import type { CellRef } from '@/db/registry';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { cellLabel } from './cell-ref';

export interface AskOneCellOptions {
  /** What was (not) done because it did not answer, e.g. "nothing was deleted". */
  consequence: string;
  /** The verb's exit code for it (nova: 1; map_instances: 255). */
  exitCode?: number;
  deadlineMs?: number;
  details?: Record<string, unknown>;
}

export async function askOneCell<T>(deps: Pick<Deps, 'registry' | 'deadlineMs'>, cell: CellRef, work: (w: CellWork) => Promise<T>, opts: AskOneCellOptions): Promise<T> {
  const [outcome] = await fanOut(deps.registry, [cell], work, { deadlineMs: opts.deadlineMs ?? deps.deadlineMs });
  if (outcome?.status === 'up') return outcome.value;
  const why = outcome ? `${outcome.reason}: ${outcome.message}` : 'no answer';
  throw refuse.unavailable(`Cell ${cellLabel(cell)} does not answer (${why}); ${opts.consequence}.`, opts.exitCode ?? 1, {
    cellUuid: cell.uuid,
    reason: outcome?.reason ?? 'error',
    ...opts.details,
  });
}
