import 'server-only';
import { fanOut, type DownReason } from '@/db/fanout';
import type { Deps } from '../deps';
import { readCellMappings } from './mappings';

export interface HealthReport {
  status: 'ok' | 'degraded';
  api: { status: 'up' | 'down'; elapsedMs: number; reason?: string };
  cells: HealthCell[];
}

/**
 * One cell's reachability. A down cell also says, from the shared health memory, since
 * when it fails (`since`), when it last answered (`lastAnsweredAt`) and whether it was
 * answered from the memory without being asked (`fromMemory`): fields added to the
 * published contract, which keeps the others as they were. No message: /api/health is
 * public, and a driver's message names roles and databases.
 */
export interface HealthCell {
  uuid: string;
  name: string | null;
  status: 'up' | 'down';
  elapsedMs: number;
  reason: DownReason | null;
  since?: Date | null;
  lastAnsweredAt?: Date | null;
  fromMemory?: boolean;
}

/**
 * Liveness for load balancers: the api database, then every cell at once under the
 * deadline; a cell that failed a moment ago is answered from the health memory at once.
 */
export async function checkHealth(deps: Deps): Promise<HealthReport> {
  const started = performance.now();
  let mappings: Awaited<ReturnType<typeof readCellMappings>>;
  try {
    mappings = await withDeadline(readCellMappings(deps.api), deps.deadlineMs);
  } catch (e) {
    const timeout = (e as Error).message === 'deadline';
    return {
      status: 'degraded',
      api: { status: 'down', elapsedMs: Math.round(performance.now() - started), reason: timeout ? 'timeout' : 'error' },
      cells: [],
    };
  }
  const apiElapsed = Math.round(performance.now() - started);
  const outcomes = await fanOut(deps.registry, mappings, async ({ handle }) => handle.sql`select 1`, {
    deadlineMs: deps.deadlineMs,
  });
  const cells = outcomes.map((o): HealthCell => {
    const common = { uuid: o.cell.uuid, name: o.cell.name, status: o.status, elapsedMs: o.elapsedMs };
    if (o.status === 'up') return { ...common, reason: null };
    return {
      ...common,
      reason: o.reason,
      ...(o.since !== undefined ? { since: o.since } : {}),
      ...(o.lastAnsweredAt !== undefined ? { lastAnsweredAt: o.lastAnsweredAt } : {}),
      ...(o.fromMemory !== undefined ? { fromMemory: o.fromMemory } : {}),
    };
  });
  return {
    status: cells.every((c) => c.status === 'up') ? 'ok' : 'degraded',
    api: { status: 'up', elapsedMs: apiElapsed },
    cells,
  };
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error('deadline')), ms);
    }),
  ]);
}
