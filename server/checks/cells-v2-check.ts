import { CELL0_UUID } from '../nova/constants';
import type { Check } from './result';

/** nova-status's messages, word for word (nova/cmd/status.py, _check_cellsv2). */
export const CELLS_V2_MESSAGES = {
  fewerThanTwo:
    "There needs to be at least two cell mappings, one for cell0 and one for your first cell. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
  noCell0: "No cell0 mapping found. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
  computesWithoutHostMappings: "No host mappings found but there are compute nodes. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
  nothingYet: "No host mappings or compute nodes were found. Remember to run command 'nova-manage cell_v2 discover_hosts' when new compute hosts are deployed.",
} as const;

export interface CellsV2Input {
  cellMappings: readonly { uuid: string }[];
  hostMappingCount: number;
  /** Live compute nodes (deleted = 0) in the cells other than cell0 that answered. */
  computeNodes: number;
  /** Cells other than cell0 whose compute nodes could not be counted (down or unreadable), by label. */
  uncounted: readonly string[];
}

/**
 * nova-status's "Cells v2" check with nova's conditions and order. One difference, on
 * purpose: nova counts the compute nodes of the single database in its own nova.conf;
 * Cellar counts them in every cell except cell0 (the same fan-out as everything else).
 * So when there are no host mappings and a cell did not answer, "no compute nodes" cannot
 * be claimed: that is a warning of Cellar's, not nova's success note.
 */
export function cellsV2Check(input: CellsV2Input): Check {
  const check = (result: Check['result'], details: string | null): Check => ({ id: 'cells_v2', name: 'Cells v2', result, details });
  if (input.cellMappings.length < 2) return check('failure', CELLS_V2_MESSAGES.fewerThanTwo);
  if (!input.cellMappings.some((c) => c.uuid === CELL0_UUID)) return check('failure', CELLS_V2_MESSAGES.noCell0);
  if (input.hostMappingCount === 0) {
    if (input.computeNodes > 0) return check('failure', CELLS_V2_MESSAGES.computesWithoutHostMappings);
    if (input.uncounted.length > 0) {
      return check(
        'warning',
        `No host mappings found, and ${input.uncounted.join(', ')} did not answer, so whether there are compute nodes is unknown. Run the checks again when every cell answers.`,
      );
    }
    return check('success', CELLS_V2_MESSAGES.nothingYet);
  }
  return check('success', null);
}
