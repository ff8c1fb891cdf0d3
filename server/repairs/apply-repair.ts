import 'server-only';
/**
 * A repair's run over the rows of its dry run (their keys), in batches: each batch is one
 * statement per database that checks the finding's condition again, and the rows it
 * returns are the rows changed and audited. The console's job and the CLI both run this;
 * the job stores `position` after each batch and resumes from it.
 */
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { deleteOrphanMappings, deletePlacedBuildRequests } from './apply-api-deletes';
import { resetMappedNodes } from './apply-mapped-reset';
import type { RepairActor } from './audit-repair';
import { type RepairKind, type RepairProgress, repairFixes } from './repair-kinds';

export const REPAIR_BATCH = 500;

export interface RowKey {
  table: string;
  cellUuid: string | null;
  id: number;
}

export function parseRowKey(key: string): RowKey | null {
  const parts = key.split(':');
  const id = Number(parts[parts.length - 1]);
  if (!Number.isSafeInteger(id) || id < 1) return null;
  if (parts.length === 2) return { table: parts[0]!, cellUuid: null, id };
  if (parts.length === 3) return { table: parts[0]!, cellUuid: parts[1]!, id };
  return null;
}

const TABLE: Partial<Record<RepairKind, string>> = {
  orphan_instance_mappings: 'instance_mappings',
  placed_build_requests: 'build_requests',
  mapped_compute_nodes: 'compute_nodes',
};

/** The keys of the kind's table, as ids (grouped by cell for cell rows); keys of anything else are refused. */
export function keysFor(kind: RepairKind, keys: readonly string[]): RowKey[] {
  const table = TABLE[kind];
  if (!table) throw refuse.invalid(`${kind} is reported only: Cellar changes nothing for it.`);
  return keys.map((k) => {
    const r = parseRowKey(k);
    if (!r || r.table !== table || (table === 'compute_nodes') !== (r.cellUuid !== null)) throw refuse.invalid(`${k} is not a row of ${kind}.`);
    return r;
  });
}

/** One batch: how many rows changed, and (cell rows) how many could not be reached. */
async function applyBatch(deps: Deps, kind: RepairKind, batch: readonly RowKey[], actor: RepairActor) {
  const ids = batch.map((r) => r.id);
  if (kind === 'orphan_instance_mappings') return { changed: await deleteOrphanMappings(deps, ids, actor), notReached: 0, down: [] };
  if (kind === 'placed_build_requests') return { changed: await deletePlacedBuildRequests(deps, ids, actor), notReached: 0, down: [] };
  const byCell = new Map<string, number[]>();
  for (const r of batch) byCell.set(r.cellUuid!, [...(byCell.get(r.cellUuid!) ?? []), r.id]);
  return resetMappedNodes(deps, byCell, actor);
}

export function emptyProgress(total: number): RepairProgress {
  return { total, position: 0, changed: 0, skipped: 0, notReached: 0, batches: 0, down: [] };
}

/**
 * Run the batches from `progress.position` on, updating `progress` after each and calling
 * `onBatch` (the job stores it; the CLI prints it).
 */
export async function applyRepair(
  deps: Deps,
  kind: RepairKind,
  keys: readonly string[],
  actor: RepairActor,
  opts: { progress?: RepairProgress; batch?: number; signal?: AbortSignal; onBatch?: (p: RepairProgress) => Promise<void> | void } = {},
): Promise<RepairProgress> {
  if (!repairFixes(kind)) throw refuse.invalid(`${kind} is reported only: Cellar changes nothing for it.`);
  const rows = keysFor(kind, keys);
  const p = opts.progress ?? emptyProgress(rows.length);
  const size = opts.batch ?? REPAIR_BATCH;
  while (p.position < rows.length) {
    opts.signal?.throwIfAborted();
    const batch = rows.slice(p.position, p.position + size);
    const r = await applyBatch(deps, kind, batch, actor);
    p.changed += r.changed;
    p.notReached += r.notReached;
    p.skipped += batch.length - r.changed - r.notReached;
    // Kept as plain JSON in the job's progress: the cell, the reason and the message.
    for (const d of r.down)
      if (!p.down.some((x) => x.uuid === d.uuid)) p.down.push({ uuid: d.uuid, name: d.name, reason: d.reason, message: d.message, elapsedMs: d.elapsedMs });
    p.position += batch.length;
    p.batches += 1;
    await opts.onBatch?.(p);
  }
  return p;
}
