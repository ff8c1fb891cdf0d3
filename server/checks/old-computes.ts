import type { CellSummary } from '../cells/cell-ref';
import { SERVICE_VERSION } from '../nova/constants';
import { type Check, listSome } from './result';

/** nova/objects/service.py SERVICE_VERSION_ALIASES: the service version each release shipped with. */
export const SERVICE_VERSION_ALIASES = { Yoga: 61, Caracal: 66, Epoxy: 68, Flamingo: 70, Gazpacho: 72 } as const;
export type ReleaseAlias = keyof typeof SERVICE_VERSION_ALIASES;

/**
 * The oldest compute release this control plane supports: N-1. SERVICE_VERSION 73 is the
 * release after Gazpacho; Gazpacho is a SLURP release, and the release after a SLURP is
 * upgraded to from N-1 only, so nova's OLDEST_SUPPORTED_SERVICE_VERSION is 'Gazpacho' (72).
 * A compute at 71 (between Flamingo and Gazpacho) or older is too old.
 */
export const OLDEST_SUPPORTED_SERVICE_VERSION: ReleaseAlias = 'Gazpacho';

/**
 * nova-status answers for the nova it belongs to. On a deployment nova made, that is the
 * deployment's own control plane (its newest service version), not this Cellar's idea of
 * nova master: a Zed cloud (64) supports computes back to Yoga (61), as Zed's own
 * nova-status says (nova/objects/service.py of 26.2: OLDEST_SUPPORTED_SERVICE_VERSION =
 * 'Yoga'). Where one service version spans releases with different answers (66 is
 * Antelope, Bobcat and Caracal), the older, more lenient one is taken.
 */
export function oldestSupportedFor(current: number): ReleaseAlias {
  if (current > SERVICE_VERSION_ALIASES.Gazpacho) return 'Gazpacho';
  if (current > SERVICE_VERSION_ALIASES.Epoxy) return 'Epoxy'; // Flamingo, Gazpacho
  if (current > SERVICE_VERSION_ALIASES.Caracal) return 'Caracal'; // Dalmatian, Epoxy
  return 'Yoga'; // Zed through Caracal
}

export interface ComputeVersion {
  cell: CellSummary;
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
export function oldComputesCheck(services: readonly ComputeVersion[], skipped: readonly string[], current: number = SERVICE_VERSION): OldComputes {
  const release = oldestSupportedFor(current);
  const oldest = SERVICE_VERSION_ALIASES[release];
  const counted = services.filter((s) => !s.forcedDown && s.version > 0);
  const minimumVersion = counted.length ? Math.min(...counted.map((s) => s.version)) : null;
  const tooOld = counted.filter((s) => s.version < oldest).sort((a, b) => a.version - b.version || a.host.localeCompare(b.host));
  const base = { minimumVersion, oldestSupported: { release, version: oldest }, current, tooOld };
  const check = (result: Check['result'], details: string | null): Check => ({ id: 'old_computes', name: 'Older than N-1 computes', result, details });
  if (minimumVersion !== null && minimumVersion < oldest) {
    // nova's TooOldComputeService message; the scope is "system" because the api database is known.
    return {
      ...base,
      check: check(
        'failure',
        `Current Nova version does not support computes older than ${release} but the minimum compute service level in your system is ${minimumVersion} and the oldest supported service level is ${oldest}.`,
      ),
    };
  }
  const note = skipped.length
    ? `The nova-compute services of ${listSome(skipped)} were not counted: the cell did not answer or its tables could not be read.`
    : null;
  return { ...base, check: check('success', note) };
}
