import 'server-only';
/**
 * archive_deleted_rows and purge as background jobs (the console's "Archive" and "Purge"):
 * every cell, cell0 first, one at a time; archive in batches of max_rows until each cell
 * has nothing left (nova's --until-complete). Progress is stored after every batch.
 *
 * Killed and resumed (another runner claims it once its heartbeat is stale), the job goes on
 * from the cell it was on: a batch is one transaction on the cell, so the batch that was cut
 * off either moved all its rows or none, and the next batch takes what is still there —
 * nothing is archived twice (the shadow tables' primary keys would refuse it anyway). The one
 * gap is a kill between a batch's commit on the cell and the api rows' delete: the progress
 * says a batch was in flight, so the resumed job first deletes the api rows of that cell's
 * instances that are now archived (in shadow_instances, gone from instances).
 *
 * The finished job records its counts in the audit log.
 */
import { z } from 'zod';
import type { CellRef } from '@/db/registry';
import { recordAudit } from '../auth/audit';
import type { Deps } from '../deps';
import type { JobBody } from '../jobs/job-body';
import { type ApiTable, deleteApiRows, mappedUuidsOfCell } from './archive-api-rows';
import { askCell, cellsToArchive } from './archive-cells';
import { API_UNREACHABLE_MESSAGE, archiveOneCell, checkMaxRows } from './archive-deleted-rows';
import { ALL_CELLS_TARGET, ARCHIVE_EXIT, ARCHIVE_JOB, DEFAULT_MAX_ROWS, PURGE_JOB, readArchiveJobProgress } from './contract';
import { purgeShadowTables } from './purge-shadow';

export const archiveJobParams = z.object({
  maxRows: z.number().int().catch(DEFAULT_MAX_ROWS),
  /** ISO time; null: every soft-deleted row (archive) or every shadow row (purge). */
  before: z.string().nullable().catch(null),
});

const beforeOf = (params: Record<string, unknown>) => {
  const p = archiveJobParams.parse({ maxRows: DEFAULT_MAX_ROWS, before: null, ...params });
  return { maxRows: p.maxRows, before: p.before ? new Date(p.before) : null };
};

/**
 * The api rows of a cell's instances archived by a batch whose end was not recorded: the
 * cell's mappings, a page at a time, whose instance is in shadow_instances and no longer in instances.
 */
async function lookBack(deps: Deps, cell: CellRef): Promise<Record<ApiTable, number>> {
  const out: Record<ApiTable, number> = { instance_mappings: 0, request_specs: 0, instance_group_member: 0 };
  let after = 0;
  for (;;) {
    const page = await mappedUuidsOfCell(deps.api, cell.id, after, 1000);
    if (page.length === 0) return out;
    after = page[page.length - 1]!.id;
    const uuids = page.map((p) => p.uuid);
    const answer = await askCell(deps, cell, async ({ handle }) =>
      (
        await handle.sql<{ uuid: string }[]>`
          select s.uuid from shadow_instances s
          where s.uuid = any(${uuids}) and not exists (select 1 from instances i where i.uuid = s.uuid)`
      ).map((r) => r.uuid),
    );
    if (!answer.ok) return out;
    const gone = await deleteApiRows(deps.api, answer.value);
    for (const [t, n] of Object.entries(gone) as [ApiTable, number][]) out[t] += n;
  }
}

async function auditCounts(deps: Deps, action: string, job: { id: number; actor: string | null; params: Record<string, unknown> }, counts: unknown) {
  await recordAudit(deps, {
    source: 'console',
    principal: { kind: 'internal', name: job.actor ?? 'job runner', role: 'operator' },
    action,
    input: { job: job.id, ...job.params, counts },
    target: ALL_CELLS_TARGET,
    outcome: 'done',
  });
}

export function archiveJob(): JobBody {
  return async ({ deps, job, signal, report, finish }) => {
    const { maxRows, before } = beforeOf(job.params);
    checkMaxRows(maxRows);
    const p = readArchiveJobProgress(job.progress);
    const cells = await cellsToArchive(deps, {
      cellUuid: job.target === ALL_CELLS_TARGET ? null : job.target,
      apiExit: ARCHIVE_EXIT.apiUnreachable,
      apiMessage: API_UNREACHABLE_MESSAGE,
    });
    if (p.cells.length === 0) {
      p.cells = cells.map((c) => ({ uuid: c.uuid, name: c.name, state: 'pending', tables: {}, total: 0, message: null }));
      await report(p);
    }
    const addApi = (api: Record<string, number>) => {
      for (const [t, n] of Object.entries(api)) p.api[t] = (p.api[t] ?? 0) + n;
    };
    for (const entry of p.cells) {
      if (entry.state === 'done' || entry.state === 'down') continue;
      const cell = cells.find((c) => c.uuid === entry.uuid);
      if (!cell) {
        Object.assign(entry, { state: 'done', message: 'The cell mapping is gone.' });
        continue;
      }
      if (p.inflight === cell.uuid) {
        addApi(await lookBack(deps, cell));
        p.inflight = null;
        await report(p);
      }
      entry.state = 'running';
      const r = await archiveOneCell(deps, cell, {
        maxRows,
        before,
        untilComplete: true,
        signal,
        beforeBatch: async () => {
          p.inflight = cell.uuid;
          await report(p);
        },
        onBatch: async (_c, run, api) => {
          for (const [t, n] of Object.entries(run.tables)) entry.tables[t] = (entry.tables[t] ?? 0) + n;
          entry.total += run.total;
          p.total += run.total;
          p.batches += 1;
          addApi(api);
          p.inflight = null;
          await report(p);
        },
      });
      p.inflight = null;
      Object.assign(entry, r.down ? { state: 'down', message: r.down } : { state: 'done', message: r.warnings.join(' ') || null });
      await report(p);
    }
    const result = {
      total: p.total,
      api: p.api,
      cells: p.cells.map((c) => ({ uuid: c.uuid, name: c.name, state: c.state, total: c.total, tables: c.tables })),
    };
    await auditCounts(deps, 'archive_deleted_rows job', job, result);
    await finish(p, result);
  };
}

export function purgeJob(): JobBody {
  return async ({ deps, job, report, finish }) => {
    const { before } = beforeOf(job.params);
    const p = readArchiveJobProgress(job.progress);
    const done = new Set(p.cells.filter((c) => c.state === 'done' || c.state === 'down').map((c) => c.uuid));
    await purgeShadowTables(deps, {
      before,
      cellUuid: job.target === ALL_CELLS_TARGET ? null : job.target,
      skip: done,
      onCell: async (c) => {
        p.cells = [
          ...p.cells.filter((x) => x.uuid !== c.uuid),
          { uuid: c.uuid, name: c.name, state: c.down ? 'down' : 'done', tables: c.tables, total: c.total, message: c.down },
        ];
        p.total = p.cells.reduce((s, x) => s + x.total, 0);
        p.batches += 1;
        await report(p);
      },
    });
    const result = { total: p.total, cells: p.cells.map((c) => ({ uuid: c.uuid, name: c.name, state: c.state, total: c.total, tables: c.tables })) };
    await auditCounts(deps, 'purge job', job, result);
    await finish(p, result);
  };
}

/** The runner's bodies of this area (server/jobs/job-runner.ts spreads them into its defaults). */
export const archiveJobBodies = (): Record<string, JobBody> => ({ [ARCHIVE_JOB]: archiveJob(), [PURGE_JOB]: purgeJob() });
