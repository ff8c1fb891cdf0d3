/**
 * The instances area for pages (browser-safe): the lookups' inputs (by uuid, by name), the
 * list's sort keys and vm_states, the list's input, and what the list and the lookups answer.
 */
import { z } from 'zod';
import { instanceUuid } from './instance-uuid';

export { instanceUuid } from './instance-uuid';
export { SORT_DIRS, SORT_KEYS, type SortDir, type SortKey, type SortSpec } from './sort-order';
export { type MergeSpec, mergeCellPages, mergedPageTrimmer } from './merge-pages';
export { statusSearchHelp, vmStateForStatus } from './status';
export { VM_STATES, type VmState } from '../nova/constants';

export const lookupInstanceInput = z.object({ uuid: instanceUuid });

export type { InstanceListPage, InstanceRow, UnknownInstanceRow } from './list-instances';
export type { LookupResult } from './lookup-instance';
export type { NameMatch, NameMatches } from './find-by-name';
export { type FindByNameInput, findByNameInput, NAME_MATCHES_PER_CELL } from './find-by-name-input';

export { DEFAULT_LIMIT, type ListInstancesInput, listInstancesInput, MAX_LIMIT } from './list-instances-input';
