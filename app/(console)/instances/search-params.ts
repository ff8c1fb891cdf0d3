/**
 * The instances page's state, all in the URL (a pasted link reproduces the view): the
 * lookup, the filters, the sort, the page size and the keyset marker. Shared by the
 * server component (prefetch) and the client components, so both ask for the same query.
 */
import { createLoader, createSerializer, type inferParserType, parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { type ListInstancesInput, SORT_DIRS, SORT_KEYS, type SortSpec, VM_STATES } from '@/server/instances/contract';

export const PAGE_SIZES = [20, 50, 100, 200, 500, 1000] as const;

export const instancesSearchParams = {
  lookup: parseAsString,
  project: parseAsString,
  vm_state: parseAsStringLiteral(VM_STATES),
  host: parseAsString,
  name: parseAsString,
  sort: parseAsStringLiteral(SORT_KEYS).withDefault('created_at'),
  dir: parseAsStringLiteral(SORT_DIRS).withDefault('desc'),
  limit: parseAsInteger.withDefault(50),
  marker: parseAsString,
};

export const loadInstancesSearchParams = createLoader(instancesSearchParams);
export const serializeInstancesSearchParams = createSerializer(instancesSearchParams, { clearOnDefault: true });

export type InstancesParams = inferParserType<typeof instancesSearchParams>;

/** The list query for the URL's state; a page size out of range is brought back into it. */
export function toListInput(p: InstancesParams): ListInstancesInput {
  const input: ListInstancesInput = { limit: Math.min(1000, Math.max(1, p.limit)), sort: p.sort, dir: p.dir };
  if (p.marker) input.marker = p.marker;
  if (p.project) input.projectId = p.project;
  if (p.vm_state) input.vmState = p.vm_state;
  if (p.host) input.host = p.host;
  if (p.name) input.name = p.name;
  return input;
}

/** How the cells' pages of a list input merge into one page (mergeCellPages), for the browser's merge and the server render's trim alike. */
export function mergeSpec(input: ListInstancesInput): { limit: number; sort: SortSpec } {
  return { limit: input.limit ?? 50, sort: { key: input.sort ?? 'created_at', dir: input.dir ?? 'desc' } };
}
