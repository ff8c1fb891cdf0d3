import 'server-only';
/**
 * The console's "Run" of a repair: the dry run again, narrowed to the rows the operator
 * was shown (a row found since is not touched; one gone since is simply not there), the
 * limit checked, and a repair job queued for them. One active job per kind and cell
 * selection: pressing Run while one is queued or running returns that one.
 */
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { enqueueJob } from '../jobs/enqueue-job';
import { listJobs } from '../jobs/list-jobs';
import type { RepairActor } from './audit-repair';
import { overLimitRefusal, planRepair } from './plan-repair';
import { REPAIR_JOB, type RepairJobParams, repairJobView } from './repair-job';
import { DEFAULT_REPAIR_LIMIT, REPAIR_INFO, type RepairJob, type RepairKind, repairFixes, repairTarget, type StartRepairResult } from './repair-kinds';

export async function startRepair(
  deps: Deps,
  input: { kind: RepairKind; cellUuid?: string; limit?: number; keys: readonly string[] },
  actor: RepairActor,
): Promise<StartRepairResult> {
  if (!repairFixes(input.kind)) throw refuse.invalid(`${input.kind} is reported only: Cellar changes nothing for it.`);
  const limit = input.limit ?? DEFAULT_REPAIR_LIMIT;
  const plan = await planRepair(deps, { kind: input.kind, cellUuid: input.cellUuid, limit });
  const confirmed = new Set(input.keys);
  const rows = plan.rows.filter((r) => confirmed.has(r.key));
  if (rows.length > limit) throw overLimitRefusal({ kind: input.kind, rows, more: false, limit });
  const title = REPAIR_INFO[input.kind].title;
  if (rows.length === 0)
    return { job: null, created: false, message: `Nothing to change: none of the rows shown qualifies any more (${title.toLowerCase()}).` };
  const params: RepairJobParams = {
    kind: input.kind,
    cellUuid: input.cellUuid ?? null,
    keys: rows.map((r) => r.key),
    source: actor.source,
    principal: actor.principal,
    requestId: actor.requestId ?? null,
  };
  const { job, created } = await enqueueJob(deps, { kind: REPAIR_JOB, target: repairTarget(input.kind, input.cellUuid), params, actor: actor.principal.name });
  return {
    job: repairJobView(job),
    created,
    message: created
      ? `${title}: a job to change ${rows.length.toLocaleString('en')} ${rows.length === 1 ? 'row' : 'rows'} is queued.`
      : `A ${input.kind} repair is already queued or running; it is shown instead.`,
  };
}

/** The latest repair jobs of a kind and cell selection, newest first. */
export async function listRepairJobs(deps: Pick<Deps, 'api'>, input: { kind: RepairKind; cellUuid?: string }, limit = 5): Promise<RepairJob[]> {
  return (await listJobs(deps, { kind: REPAIR_JOB, target: repairTarget(input.kind, input.cellUuid), limit })).map(repairJobView);
}
