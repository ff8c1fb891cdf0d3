/**
 * The repairs contract (browser-safe: types, constants, zod inputs, no database): the
 * drift findings Cellar can fix, or only report, with what each one changes. The domain
 * (find-*.ts, apply-*.ts, repair-job.ts) and the pages share these words.
 *
 *   orphan_instance_mappings   instance mappings with no cell and no build request,
 *                              older than the stuck threshold          → deleted
 *   placed_build_requests      build requests whose instance mapping has a cell,
 *                              older than the stuck threshold          → deleted
 *   mapped_compute_nodes       live compute nodes with mapped = 1 and no host mapping
 *                              for their host                          → mapped = 0
 *   stale_host_mappings        host mappings to a cell with no live compute node or
 *                              nova-compute service for the host       → reported (delete_host)
 *   archived_instance_mappings instance mappings to a cell that has no instances row
 *                              for the uuid, live or deleted           → reported (archive)
 */
import { z } from 'zod';
import type { CellSummary, DownCell } from '../cells/cell-ref';
import { cellUuidSchema } from '../cells/cell-ref';
import type { Job } from '../jobs/job';

export const REPAIR_KINDS = [
  'orphan_instance_mappings',
  'placed_build_requests',
  'mapped_compute_nodes',
  'stale_host_mappings',
  'archived_instance_mappings',
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export interface RepairKindInfo {
  title: string;
  /** What a run changes; null: reported only, nothing is changed by Cellar. */
  change: string | null;
  /** The finding, in one sentence. */
  finding: string;
  /** Whether --cell_uuid narrows it (the kinds that read cells, and build requests by the cell they went to). */
  perCell: boolean;
}

export const REPAIR_INFO: Record<RepairKind, RepairKindInfo> = {
  orphan_instance_mappings: {
    title: 'Orphaned instance mappings',
    change: 'deletes the instance_mappings row',
    finding:
      'Instance mappings with no cell and no build request, older than the stuck threshold: a delete that came before the conductor placed the boot, or a lost message (cells-v2 §5.4).',
    perCell: false,
  },
  placed_build_requests: {
    title: 'Build requests of placed instances',
    change: 'deletes the build_requests row (its request spec stays: it lives as long as the instance)',
    finding:
      'Build requests whose instance mapping already has a cell, older than the stuck threshold: the conductor placed the instance but did not delete the build request, as its _delete_build_request would have (§5.2).',
    perCell: true,
  },
  mapped_compute_nodes: {
    title: 'Compute nodes marked mapped without a host mapping',
    change: 'sets compute_nodes.mapped back to 0, so discover_hosts maps the host again',
    finding:
      "Live compute nodes with mapped = 1 whose host has no host mapping: discover_hosts' per-node scan skips them, so their host is never mapped again.",
    perCell: true,
  },
  stale_host_mappings: {
    title: 'Host mappings with no compute in their cell',
    change: null,
    finding:
      "Host mappings to a cell whose database has no live compute node and no live nova-compute service for the host. Reported only: delete the mapping with delete_host (it checks the host's instances first).",
    perCell: true,
  },
  archived_instance_mappings: {
    title: 'Instance mappings of archived instances',
    change: null,
    finding:
      'Instance mappings to a cell that has no instances row for the uuid, live or deleted: nova\'s verify_instance exit 4, "has been archived. However its instance_mapping remains."',
    perCell: true,
  },
};

/** Whether a run of the kind changes rows (the others only report). */
export const repairFixes = (kind: RepairKind) => REPAIR_INFO[kind].change !== null;

/** How many rows a run changes at most unless a larger limit is given (SAP's nannies' idea). */
export const DEFAULT_REPAIR_LIMIT = 100;
/** The most rows one run can list or change: a larger repair is run again until it finds nothing. */
export const MAX_REPAIR_LIMIT = 10_000;

/** nova's advice for an archived instance's mapping (verify_instance exit 4, then what archive_deleted_rows would have removed). */
export const ARCHIVED_ADVICE =
  "However its instance_mapping remains. archive_deleted_rows removes the mapping of an instance it archives; this one's instance was archived without it (or removed by hand): check the instance is gone from the cell's shadow_instances, then delete the mapping.";

export const deleteHostCommand = (cellUuid: string, host: string) => `cellar delete_host --cell_uuid ${cellUuid} --host ${host}`;

/** One row a repair found: what it would change (or reports), named as nova names it. */
export interface RepairRow {
  /** Unique within a plan: the table, the cell for cell rows, the id. What the console sends back to run. */
  key: string;
  table: 'instance_mappings' | 'build_requests' | 'compute_nodes' | 'host_mappings';
  id: number;
  /** The cell the row is in (compute_nodes) or points at; null for a mapping with no cell. */
  cell: CellSummary | null;
  instanceUuid: string | null;
  projectId: string | null;
  host: string | null;
  /** compute_nodes.hypervisor_hostname. */
  node: string | null;
  createdAt: Date | null;
  /** What else is worth knowing about the row (queued for delete, the mapped value). */
  note: string | null;
  /** For a reported row: what to run. */
  advice: string | null;
}

/** A dry run: the rows a run would change (or the rows reported), and the cells that could not be read. */
export interface RepairPlan {
  kind: RepairKind;
  fixes: boolean;
  rows: RepairRow[];
  /** More rows than MAX_REPAIR_LIMIT were found; `rows` holds the first ones. */
  more: boolean;
  /** Cells that did not answer: their rows are not in the plan. */
  down: DownCell[];
  limit: number;
  /** A run would be refused: more rows than the limit. */
  overLimit: boolean;
  /** Orphans and placed build requests: only rows older than this many minutes. */
  olderThanMinutes: number | null;
  asOf: Date;
}

/** What a run did. */
export interface RepairOutcome {
  kind: RepairKind;
  /** Rows changed (one audit row each). */
  changed: number;
  /** Rows of the plan that no longer qualified when their batch ran: left alone, not audited. */
  skipped: number;
  /** Rows in cells that did not answer when their batch ran: not changed. */
  notReached: number;
  down: DownCell[];
}

export const repairKindSchema = z.enum(REPAIR_KINDS, { message: `a repair is one of ${REPAIR_KINDS.join(', ')}` });

export const repairLimitSchema = z
  .number()
  .int('the limit is a whole number')
  .min(1, 'the limit is at least 1')
  .max(MAX_REPAIR_LIMIT, `the limit is at most ${MAX_REPAIR_LIMIT.toLocaleString('en')}`);

export const repairPlanInput = z.object({
  kind: repairKindSchema,
  cellUuid: cellUuidSchema.optional(),
  limit: repairLimitSchema.default(DEFAULT_REPAIR_LIMIT),
});
export type RepairPlanInput = z.input<typeof repairPlanInput>;

export const repairStartInput = repairPlanInput.extend({
  /** The keys of the dry run's rows: only rows both shown and still qualifying are changed. */
  keys: z.array(z.string().max(120)).min(1, 'run a dry run first: no rows were confirmed').max(MAX_REPAIR_LIMIT),
});
export type RepairStartInput = z.input<typeof repairStartInput>;

export const repairJobsInput = z.object({ kind: repairKindSchema, cellUuid: cellUuidSchema.optional() });

/** The job kind in cellar.jobs. */
export const REPAIR_JOB = 'repair';

/** The job target: one active repair per kind and cell selection. */
export const repairTarget = (kind: RepairKind, cellUuid?: string | null) => `${kind}:${cellUuid ?? 'all'}`;

/** What the repair job stores after each batch. */
export interface RepairProgress {
  total: number;
  /** Index in the job's rows of the next batch. */
  position: number;
  changed: number;
  skipped: number;
  notReached: number;
  batches: number;
  down: DownCell[];
}

export interface RepairJob extends Omit<Job, 'progress' | 'params'> {
  params: { kind: RepairKind; cellUuid: string | null; rows: number };
  progress: RepairProgress;
}

export interface StartRepairResult {
  /** null: nothing of what was confirmed qualifies any more, so nothing was queued. */
  job: RepairJob | null;
  created: boolean;
  message: string;
}
