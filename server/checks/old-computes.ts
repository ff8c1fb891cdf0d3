import { SERVICE_VERSION } from '../nova/constants';
import { type Check, listSome } from './result';

/** nova/objects/service.py SERVICE_VERSION_ALIASES: the service version each release shipped with. */
export const SERVICE_VERSION_ALIASES = { Epoxy: 68, Flamingo: 70, Gazpacho: 72 } as const;
export type ReleaseAlias = keyof typeof SERVICE_VERSION_ALIASES;

/**
 * The oldest compute release this control plane supports: N-1. SERVICE_VERSION 73 is the
 * release after Gazpacho; Gazpacho is a SLURP release, and the release after a SLURP is
 * upgraded to from N-1 only, so nova's OLDEST_SUPPORTED_SERVICE_VERSION is 'Gazpacho' (72).
 * A compute at 71 (between Flamingo and Gazpacho) or older is too old.
 */
export const OLDEST_SUPPORTED_SERVICE_VERSION: ReleaseAlias = 'Gazpacho';

export interface ComputeVersion {
  cell: { uuid: string; name: string | null };
  host: string;
  version: number;
  forcedDown: boolean;
}

export interface OldComputes {
  check: Check;
  /** The minimum counted version, null when no compute counts (a fresh install). */
  minimumVersion: number | null;
  oldestSupported: { release: ReleaseAlias; version: number };
  current: number;
  /** The counted computes below the oldest supported version, oldest first. */
  tooOld: ComputeVersion[];
}

/**
 * nova-status's "Older than N-1 computes" (utils.raise_if_old_compute): the minimum
 * nova-compute service version across cells against the oldest supported one. As nova
 * does, deleted and forced-down services are not counted, cells that did not answer are
 * skipped, and no compute at all is a success. Where Cellar differs: a version of 0 (a row
 * from before service versions) is dropped row by row, while nova drops a whole cell whose
 * minimum is 0, so one unversioned row there would hide a genuinely old compute beside it.
 */
export function oldComputesCheck(services: readonly ComputeVersion[], skipped: readonly string[]): OldComputes {
  const oldest = SERVICE_VERSION_ALIASES[OLDEST_SUPPORTED_SERVICE_VERSION];
  const counted = services.filter((s) => !s.forcedDown && s.version > 0);
  const minimumVersion = counted.length ? Math.min(...counted.map((s) => s.version)) : null;
  const tooOld = counted.filter((s) => s.version < oldest).sort((a, b) => a.version - b.version || a.host.localeCompare(b.host));
  const base = { minimumVersion, oldestSupported: { release: OLDEST_SUPPORTED_SERVICE_VERSION, version: oldest }, current: SERVICE_VERSION, tooOld };
  const check = (result: Check['result'], details: string | null): Check => ({ id: 'old_computes', name: 'Older than N-1 computes', result, details });
  if (minimumVersion !== null && minimumVersion < oldest) {
    // nova's TooOldComputeService message; the scope is "system" because the api database is known.
    return {
      ...base,
      check: check(
        'failure',
        `Current Nova version does not support computes older than ${OLDEST_SUPPORTED_SERVICE_VERSION} but the minimum compute service level in your system is ${minimumVersion} and the oldest supported service level is ${oldest}.`,
      ),
    };
  }
  const note = skipped.length ? `The nova-compute services of ${listSome(skipped)} were not counted: the cell did not answer or its tables could not be read.` : null;
  return { ...base, check: check('success', note) };
}
