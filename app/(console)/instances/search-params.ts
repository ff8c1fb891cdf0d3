/**
 * The instances page's state, all in the URL (a pasted link reproduces the view): the
 * lookup, the cell and the filters, the sort, the page size and the keyset marker (after
 * a row, or before one for a previous page). Shared by the server component (prefetch)
 * and the client components, so both ask for the same query.
 */
import { createLoader, createSerializer, type inferParserType, parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import type { CellSummary } from '@/server/cells/contract';
import { instanceUuid, type ListInstancesInput, type MergeSpec, SORT_DIRS, SORT_KEYS, type SortSpec, VM_STATES } from '@/server/instances/contract';

export const PAGE_SIZES = [20, 50, 100, 200, 500, 1000] as const;

export const instancesSearchParams = {
  /** An instance uuid, or a name (lookupKind tells which). */
  lookup: parseAsString,
  /** One cell's instances only: its name, or its uuid (resolveCell). */
  cell: parseAsString,
  project: parseAsString,
  vm_state: parseAsStringLiteral(VM_STATES),
  host: parseAsString,
  name: parseAsString,
  // The table's own keys (DataTable writes them on a header click): no defaults here, so a
  // link keeps what it says and both read the same sort (sortOf).
  sort: parseAsStringLiteral(SORT_KEYS),
  dir: parseAsStringLiteral(SORT_DIRS),
  limit: parseAsInteger.withDefault(50),
  marker: parseAsString,
  before: parseAsString,
};

export const loadInstancesSearchParams = createLoader(instancesSearchParams);
/** Links keep every other key of the URL (`refresh`, `cols`): pass the current search as the base. */
export const serializeInstancesSearchParams = createSerializer(instancesSearchParams, { clearOnDefault: true });

export type InstancesParams = inferParserType<typeof instancesSearchParams>;

/** The list's order: newest first unless the URL names a sort; a named sort without a direction is ascending (as the table reads it). */
export function sortOf(p: Pick<InstancesParams, 'sort' | 'dir'>): SortSpec {
  if (p.sort) return { key: p.sort, dir: p.dir ?? 'asc' };
  return { key: 'created_at', dir: p.dir ?? 'desc' };
}

/** The list query for the URL's state; a page size out of range is brought back into it. */
export function toListInput(p: InstancesParams): ListInstancesInput {
  const sort = sortOf(p);
  const input: ListInstancesInput = { limit: Math.min(1000, Math.max(1, p.limit)), sort: sort.key, dir: sort.dir };
  if (p.marker) input.marker = p.marker;
  else if (p.before) input.before = p.before;
  if (p.project) input.projectId = p.project;
  if (p.vm_state) input.vmState = p.vm_state;
  if (p.host) input.host = p.host;
  if (p.name) input.name = p.name;
  return input;
}

/** How the cells' pages of a list input merge into one page (mergeCellPages), for the browser's merge and the server render's trim alike. */
export function mergeSpec(input: ListInstancesInput): MergeSpec {
  return { limit: input.limit ?? 50, sort: { key: input.sort ?? 'created_at', dir: input.dir ?? 'desc' }, backward: Boolean(input.before) };
}

/**
 * The cells the list asks: every cell, or the one the URL names (by uuid, or by name:
 * nova does not make names unique, so every cell of that name). `unknown` when it names
 * none of them.
 */
export function resolveCell<C extends CellSummary>(frame: readonly C[], ref: string | null): { cells: C[]; unknown: boolean } {
  if (!ref) return { cells: [...frame], unknown: false };
  const t = ref.trim();
  const byUuid = frame.filter((c) => c.uuid === t.toLowerCase());
  const cells = byUuid.length > 0 ? byUuid : frame.filter((c) => c.name === t);
  return { cells, unknown: cells.length === 0 };
}

/** How the URL names a cell: its name when no other cell has it, else its uuid. */
export function cellRef(frame: readonly CellSummary[], cell: CellSummary): string {
  return cell.name && frame.filter((c) => c.name === cell.name).length === 1 ? cell.name : cell.uuid;
}

/** A lookup is a uuid (where is it) or a name (which instances have it). */
export function lookupKind(lookup: string): { uuid: string } | { name: string } {
  const parsed = instanceUuid.safeParse(lookup);
  return parsed.success ? { uuid: parsed.data } : { name: lookup.trim() };
}
