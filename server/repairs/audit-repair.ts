import 'server-only';
/**
 * One audit row per changed row, as the other writes record theirs (server/auth/audit.ts):
 * who (the console user or token behind the job, or the OS user of the CLI), from where,
 * the action (`repair <kind>`), the row as the statement returned it, and 'done'. Written
 * for exactly the rows a statement returned, so a row that no longer qualified is neither
 * changed nor audited.
 */
import type { ApiHandle } from '@/db/connect';
import { recordAudits } from '../auth/audit';
import type { Principal } from '../auth/roles';
import type { Deps } from '../deps';
import type { RepairKind } from './repair-kinds';

export interface RepairActor {
  source: 'console' | 'cli';
  principal: Principal;
  /** The job doing the work (console runs). */
  jobId?: number | null;
  requestId?: string | null;
}

export interface ChangedRow {
  target: string;
  /** The row as the DELETE/UPDATE returned it. */
  row: Record<string, unknown>;
}

/** The audit rows of one batch, on `sql` (the batch's transaction, when the change is in the api database). */
export async function auditChangedRows(
  deps: Pick<Deps, 'api'>,
  sql: ApiHandle['sql'],
  kind: RepairKind,
  actor: RepairActor,
  changed: readonly ChangedRow[],
): Promise<void> {
  // One statement for the batch, as the change itself is one.
  await recordAudits(
    { api: { ...deps.api, sql } },
    changed.map((c) => ({
      source: actor.source,
      principal: actor.principal,
      action: `repair ${kind}`,
      target: c.target,
      input: { ...c.row, ...(actor.jobId ? { jobId: actor.jobId } : {}) },
      outcome: 'done' as const,
      requestId: actor.requestId ?? null,
    })),
  );
}
