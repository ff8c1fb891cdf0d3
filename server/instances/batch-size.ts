/**
 * How many rows each cell is asked for at a time (nova/compute/instance_list.py,
 * get_instance_list_cells_batch_size, strategy "distributed"): with one cell, the
 * whole limit; otherwise limit / cells × 1.10, at least 100, at most the limit. Asking
 * every cell for `limit` rows is what made nova's 10-cell list throw 9,000 rows away
 * (bug 1787977).
 */
export const MIN_CELL_BATCH = 100;

export function cellBatchSize(limit: number, cells: number, minBatch = MIN_CELL_BATCH): number {
  if (cells <= 1) return limit;
  const distributed = Math.floor((limit / cells) * 1.1);
  return Math.max(1, Math.min(limit, Math.max(distributed, minBatch)));
}
