/**
 * A background job as the console and the runner see it: one row of cellar.jobs.
 * Rows are read with raw SQL (the claim needs FOR UPDATE SKIP LOCKED), so timestamps
 * arrive as naive-UTC strings and are turned into Dates here, in one place.
 */
import { utcDate } from '@/db/timestamps';

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The kinds of job Cellar runs; the runner refuses to claim a kind it has no body for. */
export const JOB_KINDS = ['map_instances', 'repair'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface Job {
  id: number;
  kind: string;
  /** What the job works on: a cell uuid for map_instances. */
  target: string;
  state: JobState;
  params: Record<string, unknown>;
  progress: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  actor: string | null;
  /** The replica (or CLI process) that holds it while it runs, or last held it. */
  runner: string | null;
  createdAt: Date;
  startedAt: Date | null;
  heartbeatAt: Date | null;
  finishedAt: Date | null;
}

/** A job some runner holds, with the token that proves it still does. */
export interface ClaimedJob extends Job {
  /**
   * started_at exactly as PostgreSQL wrote it at the claim. A reclaim after a dead
   * runner writes a new one, so every write of the old runner (matched on it) misses.
   */
  claim: string;
}

export interface JobRow {
  id: number;
  kind: string;
  target: string;
  state: string;
  params: Record<string, unknown> | null;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: string | null;
  actor: string | null;
  runner: string | null;
  created_at: string | Date;
  started_at: string | Date | null;
  heartbeat_at: string | Date | null;
  finished_at: string | Date | null;
}

/** The columns every job query returns, timestamps as text so they keep their microseconds. */
export const JOB_COLUMNS = `id, kind, target, state, params, progress, result, error, actor, runner,
  created_at::text as created_at, started_at::text as started_at,
  heartbeat_at::text as heartbeat_at, finished_at::text as finished_at`;

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    target: r.target,
    state: r.state as JobState,
    params: r.params ?? {},
    progress: r.progress ?? {},
    result: r.result,
    error: r.error,
    actor: r.actor,
    runner: r.runner ?? null,
    createdAt: utcDate(r.created_at)!,
    startedAt: utcDate(r.started_at),
    heartbeatAt: utcDate(r.heartbeat_at),
    finishedAt: utcDate(r.finished_at),
  };
}

export function toClaimedJob(r: JobRow): ClaimedJob {
  return { ...toJob(r), claim: String(r.started_at) };
}
