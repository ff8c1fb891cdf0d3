import 'server-only';
/**
 * Failures in cell0 grouped by normalised fault text (console-ux "Triage"): a spike of
 * "No valid host was found" in one flavor is one row with its count, first and last seen,
 * and its breakdown by flavor, project and image.
 */
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import { readFlavorFromPrimitive } from '../nova/primitives';
import { type Cell0Filters, cell0Read, type Cell0ReadResult, liveCell0Where, matchesExactly, needsExactFilter } from './cell0-read';
import { NO_IMAGE, UNKNOWN_FLAVOR } from './fault-groups-words';
import { normaliseFault } from './fault-text';

export interface Breakdown {
  label: string;
  count: number;
}

export interface FaultGroup {
  key: string;
  count: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
  byFlavor: Breakdown[];
  byProject: Breakdown[];
  byImage: Breakdown[];
}

/** One row of the grouping query: identical (flavor, message, project, image) folded together. */
export interface GroupingRow {
  flavor: string | null;
  message: string | null;
  project_id: string | null;
  image_ref: string | null;
  n: number;
  first_seen: string | null;
  last_seen: string | null;
}

function tally(map: Map<string, number>): Breakdown[] {
  return [...map.entries()].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** Fold the grouping rows into groups by normalised text, largest first. Pure: tested on its own. */
export function foldGroups(
  rows: readonly GroupingRow[],
  flavorName: (json: string | null) => string | null = (j) => readFlavorFromPrimitive(j)?.name ?? null,
): FaultGroup[] {
  const names = new Map<string | null, string>();
  const nameOf = (json: string | null) => {
    let n = names.get(json);
    if (n === undefined) {
      n = flavorName(json) ?? UNKNOWN_FLAVOR;
      names.set(json, n);
    }
    return n;
  };
  const groups = new Map<
    string,
    { count: number; first: Date | null; last: Date | null; flavors: Map<string, number>; projects: Map<string, number>; images: Map<string, number> }
  >();
  for (const r of rows) {
    const key = normaliseFault(r.message);
    let g = groups.get(key);
    if (!g) {
      g = { count: 0, first: null, last: null, flavors: new Map(), projects: new Map(), images: new Map() };
      groups.set(key, g);
    }
    const n = Number(r.n);
    g.count += n;
    const first = utcDate(r.first_seen);
    const last = utcDate(r.last_seen);
    if (first && (!g.first || first < g.first)) g.first = first;
    if (last && (!g.last || last > g.last)) g.last = last;
    const flavor = nameOf(r.flavor);
    g.flavors.set(flavor, (g.flavors.get(flavor) ?? 0) + n);
    const project = r.project_id ?? '(none)';
    g.projects.set(project, (g.projects.get(project) ?? 0) + n);
    const image = r.image_ref ? r.image_ref : NO_IMAGE;
    g.images.set(image, (g.images.get(image) ?? 0) + n);
  }
  return [...groups.entries()]
    .map(([key, g]) => ({
      key,
      count: g.count,
      firstSeen: g.first,
      lastSeen: g.last,
      byFlavor: tally(g.flavors),
      byProject: tally(g.projects),
      byImage: tally(g.images),
    }))
    .sort((a, b) => b.count - a.count || (b.lastSeen?.getTime() ?? 0) - (a.lastSeen?.getTime() ?? 0) || a.key.localeCompare(b.key));
}

export type FaultGroupsResult = Cell0ReadResult<{ groups: FaultGroup[]; instances: number }>;

/**
 * The live cell0 instances grouped by the normalised text of their latest fault. One
 * statement in cell0 folds identical (flavor copy, message, project, image) rows, so a
 * spike of one failure costs one row, not one per instance; normalisation and flavor
 * names are then applied to those few rows.
 */
export async function listFaultGroups(deps: Deps, filters: Omit<Cell0Filters, 'group'> = {}): Promise<FaultGroupsResult> {
  return cell0Read(
    deps,
    async ({ handle }) => {
      const sql = handle.sql;
      const rows = await sql<GroupingRow[]>`
      select e.flavor, f.message, i.project_id, i.image_ref, count(*)::int as n,
             min(coalesce(f.created_at, i.created_at))::text as first_seen,
             max(coalesce(f.created_at, i.created_at))::text as last_seen
      from instances i
      left join lateral (
        select id, message, created_at from instance_faults
        where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1
      ) f on true
      left join lateral (
        select flavor from instance_extra where instance_uuid = i.uuid and deleted = 0 order by id desc limit 1
      ) e on true
      where ${liveCell0Where(sql, filters)}
      group by e.flavor, f.message, i.project_id, i.image_ref`;
      // The flavor filter is exact on the embedded copy's name; SQL only narrowed the rows.
      const exact = needsExactFilter(filters) ? rows.filter((r) => matchesExactly(filters, r)) : rows;
      const groups = foldGroups(exact);
      return { groups, instances: groups.reduce((s, g) => s + g.count, 0) };
    },
    {
      // Only the whole of cell0 is worth keeping: a filtered view counts a part of it.
      counts: (d) =>
        filters.fault || filters.flavor || filters.project
          ? null
          : { instances: d.instances, groups: d.groups.length, top: d.groups.slice(0, 5).map((g) => ({ key: g.key, count: g.count })) },
    },
  );
}
