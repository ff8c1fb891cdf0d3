/**
 * Deciding a burial in cell0 (nova/conductor/manager.py::_bury_in_cell0, cells-v2.md
 * §5.2): which fault each instance gets, and what happens when cell0 itself is missing.
 * The rows are written by createInstancesInCell with the rest of the conductor's
 * writes, in nova's order (instance in cell0, then the mapping, then the build request
 * deleted; a build request already gone means the user deleted the server meanwhile,
 * and the new cell0 instance is destroyed again).
 */
import type { CellMapping } from '../cells/mappings';
import { isCell0 } from '../nova/constants';
import type { PendingInstance } from './build-request';
import type { InstanceToCreate } from './create-in-cell';
import { type BootFault, NO_CELL0_MESSAGE } from './faults';

export interface Burial {
  pending: PendingInstance;
  fault: BootFault;
}

export type BurialPlan =
  | { cell0: CellMapping; items: InstanceToCreate[] }
  /** No cell0 mapping: nova logs and returns, and the build requests stay (a stuck BUILD). */
  | { cell0: null; stuck: { pending: PendingInstance; message: string }[] };

export function planBurial(cells: readonly CellMapping[], burials: readonly Burial[]): BurialPlan {
  const cell0 = cells.find((c) => isCell0(c.uuid)) ?? null;
  if (!cell0) {
    return {
      cell0: null,
      stuck: burials.map((b) => ({ pending: b.pending, message: `${NO_CELL0_MESSAGE} The build request stays pending.` })),
    };
  }
  return { cell0, items: burials.map((b) => ({ pending: b.pending, fault: b.fault })) };
}
