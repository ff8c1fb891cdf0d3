import 'server-only';
import { desc, eq } from 'drizzle-orm';
import { discoveryRuns } from '@/db/api/schema';
import { utcDate } from '@/db/timestamps';
import type { DownCell } from '../cells/cell-ref';
import type { Deps } from '../deps';

export type DiscoverMode = 'per-node' | 'by-service';
export type DiscoveryOutcome = 'mapped' | 'nothing-to-map' | 'dry-run' | 'failed';

export interface DiscoveryRun {
  id: number;
  startedAt: Date;
  finishedAt: Date | null;
  actor: string;
  mode: DiscoverMode;
  dryRun: boolean;
  strict: boolean;
  cellUuid: string | null;
  /** The replica that ran it, for a periodic run. */
  replica: string | null;
  newlyMapped: number;
  alreadyMapped: number;
  wouldMap: number;
  skippedCells: number;
  /** NULL while the run is working (or if its process died before it could say). */
  outcome: DiscoveryOutcome | null;
  details: DiscoveryRunDetails;
}

export type DiscoveryRunDetails = {
  /** The cells that did not answer (their elapsed time is not kept). */
  skipped?: Omit<DownCell, 'elapsedMs'>[];
  mappedElsewhere?: number;
  error?: string;
};

export interface StartRun {
  actor: string;
  mode: DiscoverMode;
  dryRun: boolean;
  strict: boolean;
  cellUuid: string | null;
  replica?: string | null;
}

/** Record that a run starts; its row shows as running (finished_at NULL) until it ends. */
export async function startDiscoveryRun(deps: Deps, run: StartRun): Promise<{ id: number; startedAt: Date }> {
  const [row] = await deps.api.db
    .insert(discoveryRuns)
    .values({ ...run, startedAt: deps.now() })
    .returning({ id: discoveryRuns.id, startedAt: discoveryRuns.startedAt });
  return { id: row!.id, startedAt: utcDate(row!.startedAt)! };
}

export interface RunCounts {
  newlyMapped: number;
  alreadyMapped: number;
  wouldMap: number;
  skippedCells: number;
  outcome: Exclude<DiscoveryOutcome, 'failed'>;
  details: DiscoveryRunDetails;
}

export async function finishDiscoveryRun(deps: Deps, id: number, counts: RunCounts): Promise<void> {
  await deps.api.db
    .update(discoveryRuns)
    .set({ ...counts, finishedAt: deps.now() })
    .where(eq(discoveryRuns.id, id));
}

export async function failDiscoveryRun(deps: Deps, id: number, error: unknown): Promise<void> {
  const message = String((error as Error)?.message ?? error).slice(0, 500);
  await deps.api.db
    .update(discoveryRuns)
    .set({ outcome: 'failed', finishedAt: deps.now(), details: { error: message } })
    .where(eq(discoveryRuns.id, id));
}

/** The latest periodic runs (actor 'periodic'), newest first: what the computes page and `--schedule status` show. */
export async function latestPeriodicRuns(deps: Deps, limit = 10): Promise<DiscoveryRun[]> {
  const rows = await deps.api.db
    .select()
    .from(discoveryRuns)
    .where(eq(discoveryRuns.actor, PERIODIC_ACTOR))
    .orderBy(desc(discoveryRuns.startedAt), desc(discoveryRuns.id))
    .limit(limit);
  return rows.map(toDiscoveryRun);
}

/** The actor of the runs the schedule makes. */
export const PERIODIC_ACTOR = 'periodic';

function toDiscoveryRun(r: typeof discoveryRuns.$inferSelect): DiscoveryRun {
  return {
    ...r,
    startedAt: utcDate(r.startedAt)!,
    finishedAt: utcDate(r.finishedAt),
    mode: r.mode as DiscoverMode,
    outcome: r.outcome as DiscoveryOutcome | null,
    details: r.details as DiscoveryRunDetails,
  };
}

export interface LatestDiscoveryRuns {
  /** The latest run that was allowed to map (not a dry run). */
  lastRun: DiscoveryRun | null;
  /** The latest dry run, shown when it is newer than the last real run. */
  lastDryRun: DiscoveryRun | null;
}

/** The last real run and the last dry run, in one query (DISTINCT ON dry_run). */
export async function latestDiscoveryRuns(deps: Deps): Promise<LatestDiscoveryRuns> {
  const rows = await deps.api.db
    .selectDistinctOn([discoveryRuns.dryRun])
    .from(discoveryRuns)
    .orderBy(discoveryRuns.dryRun, desc(discoveryRuns.startedAt), desc(discoveryRuns.id));
  const runs = rows.map(toDiscoveryRun);
  return { lastRun: runs.find((r) => !r.dryRun) ?? null, lastDryRun: runs.find((r) => r.dryRun) ?? null };
}
