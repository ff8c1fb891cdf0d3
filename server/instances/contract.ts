/**
 * The instances area for pages (browser-safe): the lookup's input, the list's sort keys and
 * vm_states, and what the list and the lookup answer. (The list's own input schema,
 * listInstancesInput, still lives beside the listing in list-instances.ts; its type is here.)
 */
import { z } from 'zod';
import { instanceUuid } from './instance-uuid';

export { instanceUuid } from './instance-uuid';
export { SORT_DIRS, SORT_KEYS, type SortDir, type SortKey } from './sort-order';
export { VM_STATES, type VmState } from '../nova/constants';

export const lookupInstanceInput = z.object({ uuid: instanceUuid });

export type { InstanceListPage, InstanceRow, ListInstancesInput, UnknownInstanceRow } from './list-instances';
export type { LookupResult } from './lookup-instance';
