/**
 * What a job kind's body is given and must do: the contract between the runner and the
 * bodies (map_instances, …), apart from both so neither imports the other.
 */
import type { Deps } from '../deps';
import type { ClaimedJob } from './job';

export interface JobContext {
  deps: Deps;
  job: ClaimedJob;
  /** Aborted when the runner stops or loses the job: the body stops at its next step. */
  signal: AbortSignal;
  /** Store progress (and beat): what a resumed job starts from. */
  report(progress: Record<string, unknown>): Promise<void>;
  finish(progress: Record<string, unknown>, result: Record<string, unknown>): Promise<void>;
}

export type JobBody = (ctx: JobContext) => Promise<void>;
