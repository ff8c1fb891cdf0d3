/**
 * nova's alembic revisions and the releases whose schema they are, read from nova's
 * source (nova/db/api/migrations/versions, nova/db/main/migrations/versions). nova 26
 * (Zed) is the oldest release Cellar supports: the first whose api and main schemas are
 * both alembic heads Cellar has been run against (Debian 12's python3-nova 26.2.2).
 */

export interface NovaRelease {
  number: number;
  name: string;
}

export const NOVA_RELEASES: NovaRelease[] = [
  { number: 26, name: 'Zed' },
  { number: 27, name: '2023.1 Antelope' },
  { number: 28, name: '2023.2 Bobcat' },
  { number: 29, name: '2024.1 Caracal' },
  { number: 30, name: '2024.2 Dalmatian' },
  { number: 31, name: '2025.1 Epoxy' },
  { number: 32, name: '2025.2 Flamingo' },
  { number: 33, name: '2026.1 Gazpacho' },
];

export const OLDEST_SUPPORTED = NOVA_RELEASES[0]!;
export const NEWEST_KNOWN = NOVA_RELEASES[NOVA_RELEASES.length - 1]!;

interface Revision {
  revision: string;
  /** The releases whose schema head this revision is (empty: only passed through while upgrading). */
  headOf: number[];
  /** A release older than Cellar supports made it the head. */
  unsupported?: true;
}

/** In nova's order, oldest first (each revises the one before it). */
export const NOVA_REVISIONS: Record<'api' | 'cell', Revision[]> = {
  api: [
    { revision: 'd67eeaabee36', headOf: [], unsupported: true }, // Wallaby (23): initial alembic version
    { revision: 'b30f573d3377', headOf: [26] }, // Xena (24) – Zed: build_requests' legacy columns dropped
    { revision: 'cdeec0c85668', headOf: [27, 28, 29, 30, 31, 32, 33] }, // 2023.1: legacy migrate_version dropped
  ],
  cell: [
    { revision: '8f2f1571d55b', headOf: [], unsupported: true }, // Wallaby (23): initial alembic version
    { revision: '16f1fbcab42b', headOf: [], unsupported: true }, // Xena (24): shadow table diffs resolved
    { revision: 'ccb0fa1a2252', headOf: [26] }, // Yoga (25) – Zed: encryption fields on block_device_mapping
    { revision: '960aac0e09ea', headOf: [] }, // 2023.1: duplicate indexes on instances dropped
    { revision: '1b91788ec3a6', headOf: [27] }, // 2023.1: legacy migrate_version dropped
    { revision: '1acf2c98e646', headOf: [28] }, // 2023.2: instances.compute_id
    { revision: '13863f4e1612', headOf: [] }, // 2024.1: share_mapping
    { revision: 'd60bddf7a903', headOf: [29] }, // 2024.1: share_mapping unique keys
    { revision: '2903cd72dc14', headOf: [30, 31] }, // 2024.2: console_auth_tokens.tls_port
    { revision: 'ab450ba04102', headOf: [32, 33] }, // 2025.2: migrations source/dest indexes
  ],
};

export type RevisionSupport = { kind: 'supported'; label: string } | { kind: 'unsupported'; label: string } | { kind: 'unknown'; label: string };

function releaseLabel(numbers: number[]): string {
  const rel = numbers.map((n) => NOVA_RELEASES.find((r) => r.number === n)!).filter(Boolean);
  if (rel.length === 0) return 'a nova release in the middle of an upgrade';
  const first = rel[0]!;
  const last = rel[rel.length - 1]!;
  return first === last ? `nova ${first.number} ${first.name}` : `nova ${first.number}–${last.number} ${first.name} to ${last.name}`;
}

/** What Cellar knows of a database at this nova revision. */
export function revisionSupport(family: 'api' | 'cell', revision: string | null): RevisionSupport {
  if (!revision) return { kind: 'unsupported', label: 'a nova release before 23 (Wallaby), without alembic' };
  const list = NOVA_REVISIONS[family];
  const i = list.findIndex((r) => r.revision === revision);
  if (i < 0) return { kind: 'unknown', label: `a nova release newer than ${NEWEST_KNOWN.number} ${NEWEST_KNOWN.name}, or not nova's` };
  const r = list[i]!;
  if (r.unsupported) return { kind: 'unsupported', label: 'a nova release before 26 (Zed)' };
  if (r.headOf.length > 0) return { kind: 'supported', label: releaseLabel(r.headOf) };
  // Between two heads: an upgrade to the next release that has begun.
  const next = list.slice(i + 1).find((x) => x.headOf.length > 0);
  return { kind: 'supported', label: next ? `${releaseLabel([next.headOf[0]!])}, upgrade in progress` : releaseLabel([]) };
}

/** "nova 26 Zed through nova 33 2026.1 Gazpacho": what the README and messages name. */
export function supportedRange(): string {
  return `nova ${OLDEST_SUPPORTED.number} ${OLDEST_SUPPORTED.name} through nova ${NEWEST_KNOWN.number} ${NEWEST_KNOWN.name}`;
}
