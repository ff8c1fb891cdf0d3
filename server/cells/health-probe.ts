import 'server-only';
/**
 * The background probe of the cell health memory (db/cell-health.ts): about every
 * second it claims the cells whose next ask is due (one statement; a cell claimed by one
 * process is skipped by the others), asks each `select 1` under the deadline through the
 * registry (within the connection budget), and records the answer. A success brings the
 * cell back in every console process and the CLI, since all of them read the same table;
 * a failure asks it again after a longer wait (2 s doubling to 60 s).
 *
 * The console starts one in server/start/main.ts beside the job runner:
 *
 *     const probe = startHealthProbe(runtimeDeps());
 *     // on SIGINT/SIGTERM, before closing the database:
 *     await probe.stop();
 */
import type { CellHealthMemory } from '@/db/cell-health';
import { type CellOutcome, fanOut } from '@/db/fanout';
import type { Deps } from '../deps';
import { readCellMappings } from './mappings';

export interface HealthProbeOptions {
  /** How long to wait between rounds (default 1000 ms). */
  intervalMs?: number;
  /** The deadline of each ask (default the fan-out deadline). */
  deadlineMs?: number;
  /** The memory to probe for (default the registry's). */
  memory?: CellHealthMemory | null;
  /** Cells claimed per round at most. */
  batch?: number;
  /** A round that failed (the api database did not answer, …). */
  onError?: (e: unknown) => void;
}

/** What one round did: the cells it asked and what they answered. */
export interface ProbeRound {
  asked: CellOutcome<unknown>[];
  /** Claimed cells that are no longer mapped: their rows were dropped. */
  dropped: string[];
}

export interface HealthProbe {
  /** One round now (tests), after the one running, if any. */
  tick(): Promise<ProbeRound>;
  /** Stop after the round running, if any. */
  stop(): Promise<void>;
}

/** How much longer than the deadline a claimed cell is kept from the other processes' probes. */
const CLAIM_GRACE_MS = 5000;

export function startHealthProbe(deps: Deps, opts: HealthProbeOptions = {}): HealthProbe {
  const intervalMs = opts.intervalMs ?? 1000;
  const deadlineMs = opts.deadlineMs ?? deps.deadlineMs;
  const memory = opts.memory === undefined ? deps.registry.health : opts.memory;
  const onError = opts.onError ?? (() => {});
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ProbeRound> | null = null;

  async function round(): Promise<ProbeRound> {
    if (!memory) return { asked: [], dropped: [] };
    const claimed = await memory.claimDue(deadlineMs + CLAIM_GRACE_MS, opts.batch);
    if (claimed.length === 0) return { asked: [], dropped: [] };
    const mappings = await readCellMappings(deps.api);
    const byUuid = new Map(mappings.map((m) => [m.uuid, m]));
    const dropped = claimed.filter((r) => !byUuid.has(r.cellUuid)).map((r) => r.cellUuid);
    await memory.drop(dropped);
    const cells = claimed.flatMap((r) => byUuid.get(r.cellUuid) ?? []);
    const asked = await fanOut(deps.registry, cells, async ({ handle }) => handle.sql`select 1`, { deadlineMs, askAnyway: true });
    await memory.flush();
    return { asked, dropped };
  }

  /** Rounds one after another, never two at once. */
  function next(): Promise<ProbeRound> {
    const previous = running ?? Promise.resolve(null);
    const mine: Promise<ProbeRound> = previous
      .catch(() => null)
      .then(() => round())
      .finally(() => {
        if (running === mine) running = null;
      });
    running = mine;
    return mine;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      next()
        .catch(onError)
        .finally(() => schedule());
    }, intervalMs);
    timer.unref();
  }
  schedule();

  return {
    tick: () => next(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
