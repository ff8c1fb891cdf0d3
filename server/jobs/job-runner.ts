import 'server-only';
/**
 * The job runner: claims jobs from cellar.jobs and runs them, one at a time per runner,
 * until stopped. Any number of runners (console processes, tests) can share one api
 * database: the claim hands each job to one of them, and a job whose runner dies goes to
 * the next runner once its heartbeat is stale, which resumes it from its stored progress.
 *
 * The console starts one in server/start/main.ts, after the database is ready:
 *
 *     const jobs = startJobRunner(runtimeDeps(), { pollMs: 1000 });
 *     // on SIGINT/SIGTERM, before closing the database:
 *     await jobs.stop();
 *
 * stop() lets the current batch finish and puts the job back in the queue, so the next
 * start picks it up at once instead of waiting for it to go stale.
 */
import type { Deps } from '../deps';
import { isCellarError } from '../errors';
import { log } from '../log';
import { reportUnexpected } from '../unexpected-error';
import { replicaName } from '../replica';
import { claimJob } from './claim-job';
import type { ClaimedJob } from './job';
import type { JobBody, JobContext } from './job-body';
import { failJob, finishJob, heartbeatJob, LostClaimError, releaseJob, reportProgress } from './job-updates';
import { MAP_INSTANCES_JOB, mapInstancesJob } from './map-instances-job';
import { REPAIR_JOB, repairJob } from '../repairs/repair-job';
import { archiveJobBodies } from '../archive/archive-job';

export type { JobBody, JobContext } from './job-body';

export interface JobRunnerOptions {
  /** How long to wait before looking again when there is nothing to do. */
  pollMs?: number;
  /** A running job whose heartbeat is older than this is taken over (its runner is presumed dead). */
  staleAfterMs?: number;
  /** How often a running job beats while a step runs; well under staleAfterMs. */
  heartbeatMs?: number;
  /** Instances per map_instances batch (one read from the cell, one INSERT into the api database). */
  mapInstancesBatch?: number;
  /** Who this runner is, written on the jobs it claims; default: this process's replica name. */
  runner?: string;
  /** The bodies by kind; default: every kind Cellar has. */
  bodies?: Record<string, JobBody>;
}

export interface JobRunner {
  /** Resolves when the runner has stopped: the current job finished its step and went back to the queue. */
  stop(): Promise<void>;
}

/** Thrown into a job body when its runner is stopping. */
export class RunnerStoppingError extends Error {
  constructor() {
    super('the job runner is stopping');
    this.name = 'RunnerStoppingError';
  }
}

const DEFAULT_STALE_AFTER_MS = 60_000;

export function startJobRunner(deps: Deps, opts: JobRunnerOptions = {}): JobRunner {
  const pollMs = opts.pollMs ?? 1000;
  const staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const heartbeatMs = opts.heartbeatMs ?? Math.max(50, Math.floor(staleAfterMs / 4));
  const bodies = opts.bodies ?? { [MAP_INSTANCES_JOB]: mapInstancesJob({ batch: opts.mapInstancesBatch }), [REPAIR_JOB]: repairJob(), ...archiveJobBodies() };
  const kinds = Object.keys(bodies);
  const runner = opts.runner ?? replicaName();

  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  stopping.signal.addEventListener('abort', () => wake?.());

  async function runOne(job: ClaimedJob): Promise<void> {
    const body = bodies[job.kind]!;
    const controller = new AbortController();
    const onStop = () => controller.abort(new RunnerStoppingError());
    // Claimed just as stop() came: the listener below would never fire.
    if (stopping.signal.aborted) onStop();
    stopping.signal.addEventListener('abort', onStop);
    let beating = false;
    const beat = setInterval(() => {
      if (beating) return;
      beating = true;
      heartbeatJob(deps, job)
        .catch((e: unknown) => {
          if (e instanceof LostClaimError) controller.abort(e);
          else log.warn({ err: e, jobId: job.id }, 'job heartbeat failed');
        })
        .finally(() => {
          beating = false;
        });
    }, heartbeatMs);
    let finished = false;
    const ctx: JobContext = {
      deps,
      job,
      signal: controller.signal,
      report: (progress) => reportProgress(deps, job, progress),
      finish: async (progress, result) => {
        await finishJob(deps, job, progress, result);
        finished = true;
      },
    };
    try {
      await body(ctx);
      if (!finished) await failJob(deps, job, 'The job ended without a result.');
    } catch (e) {
      const reason = controller.signal.aborted ? controller.signal.reason : e;
      if (reason instanceof LostClaimError || e instanceof LostClaimError) {
        log.warn({ jobId: job.id, kind: job.kind }, 'job taken over by another runner; this runner lets it go');
      } else if (reason instanceof RunnerStoppingError) {
        await releaseJob(deps, job).catch((err: unknown) => log.warn({ err, jobId: job.id }, 'could not put the job back in the queue'));
      } else {
        // A refusal is the job's answer (cell gone, cell down): its plain message is the error.
        // Anything else goes to the log, and people get one line without a trace.
        // Anything else is logged with its statement under a request id; the job row, which
        // the console shows, gets the plain line only.
        const message = isCellarError(e)
          ? e.message
          : `The job stopped. ${reportUnexpected(e, { source: 'console', action: `job ${job.kind} #${job.id}`, what: 'job failed', extra: { jobId: job.id, kind: job.kind } }).message}`;
        await failJob(deps, job, message).catch((err: unknown) => log.warn({ err, jobId: job.id }, 'could not mark the job failed'));
      }
    } finally {
      clearInterval(beat);
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let job: ClaimedJob | null = null;
      try {
        job = await claimJob(deps, { kinds, staleAfterMs, runner });
      } catch (e) {
        log.warn({ err: e }, 'could not claim a job; trying again');
      }
      if (job) await runOne(job);
      else await sleep(pollMs);
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
