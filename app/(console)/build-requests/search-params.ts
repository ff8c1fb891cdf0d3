import { parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { DEFAULT_STUCK_AFTER_MINUTES, MAX_STUCK_AFTER_MINUTES, type PendingBuildRequest } from '@/server/triage/contract';

/** What a pending build request is doing, as the State column says it. */
export const BUILD_STATES = ['stuck', 'corrupt', 'placed', 'scheduling'] as const;
export type BuildState = (typeof BUILD_STATES)[number];

/**
 * The build requests page's state in the URL: the stuck threshold, in minutes, and the
 * search (the list is whole, so it is filtered here: the server gives every pending row).
 */
export const buildRequestsSearchParams = {
  stuck: parseAsInteger.withDefault(DEFAULT_STUCK_AFTER_MINUTES),
  project: parseAsString,
  user: parseAsString,
  flavor: parseAsString,
  state: parseAsStringLiteral(BUILD_STATES),
  /** At least this old, as typed: `90s`, `30m`, `2h`, `1d` (a bare number is minutes). */
  age: parseAsString,
  /** Free text: the instance's name or uuid. */
  q: parseAsString,
};

/** The query input for a URL state; a pasted value out of range falls back to the nearest bound. */
export function buildRequestsInput(s: { stuck: number }) {
  return { stuckAfterMinutes: Math.min(MAX_STUCK_AFTER_MINUTES, Math.max(1, Math.round(s.stuck))) };
}

const UNIT_S: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86400 };

/** `age:` as seconds, or null when it is not a duration. */
export function parseAge(text: string): number | null {
  const m = /^(\d{1,6})\s*(s|m|min|h|d)?$/i.exec(text.trim());
  return m ? Number(m[1]) * UNIT_S[(m[2] ?? 'm').toLowerCase()]! : null;
}

export function buildState(r: PendingBuildRequest): BuildState {
  return r.stuck ? 'stuck' : r.corrupt ? 'corrupt' : r.mappedCell ? 'placed' : 'scheduling';
}

export interface BuildRequestsFilter {
  project: string | null;
  user: string | null;
  flavor: string | null;
  state: BuildState | null;
  age: string | null;
  q: string | null;
}

/** The rows the search keeps: project and user contain, flavor is, state is, at least `age` old, name or uuid contains the free text. */
export function filterBuildRequests(rows: readonly PendingBuildRequest[], f: BuildRequestsFilter): PendingBuildRequest[] {
  const has = (v: string | null, part: string | null) => !part || (v ?? '').toLowerCase().includes(part.trim().toLowerCase());
  const minAge = f.age ? parseAge(f.age) : null;
  return rows.filter(
    (r) =>
      has(r.projectId, f.project) &&
      has(r.userId, f.user) &&
      (!f.flavor || r.flavor?.name?.toLowerCase() === f.flavor.trim().toLowerCase()) &&
      // A stuck row may be corrupt too: `state:corrupt` finds every corrupt row.
      (!f.state || buildState(r) === f.state || (f.state === 'corrupt' && r.corrupt !== null)) &&
      (minAge === null || (r.ageSeconds ?? -1) >= minAge) &&
      (!f.q || has(r.name, f.q) || has(r.instanceUuid, f.q)),
  );
}
