import 'server-only';
import type { ApiHandle } from '@/db/connect';
import type { CellRegistry } from '@/db/registry';
import { config } from '@/db/config';
import { apiDb, cellRegistry, deadlineMs } from '@/db/runtime';

/**
 * What every domain function needs, passed explicitly so the console, the CLI and the
 * tests call the same code against whichever databases they hold.
 */
export interface Deps {
  api: ApiHandle;
  registry: CellRegistry;
  /** The fan-out deadline for cross-cell reads. */
  deadlineMs: number;
  /** nova's [DEFAULT]service_down_time, for service up/down. */
  serviceDownTimeS: number;
  now: () => Date;
}

export function runtimeDeps(): Deps {
  return {
    api: apiDb(),
    registry: cellRegistry(),
    deadlineMs: deadlineMs(),
    serviceDownTimeS: config().CELLAR_SERVICE_DOWN_TIME_S,
    now: () => new Date(),
  };
}
