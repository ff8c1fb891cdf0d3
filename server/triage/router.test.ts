import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequests, instanceMappings } from '@/db/api/schema';
import { instances } from '@/db/cell/schema';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { createCallerFactory } from '../trpc';
import { triageRouter } from './router';
import { buryInCell0, depsFor } from './testing';
import { trpcError } from '@/server/testing';

const createCaller = createCallerFactory(triageRouter);
let dep: TestDeployment;
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  const deps = depsFor(dep);
  caller = createCaller({ requestId: 'test', deps: () => deps });
});

afterAll(() => dep?.close());

describe('triage router: inputs', () => {
  it('rejects a bad uuid, an empty selection and a silly threshold with plain messages', async () => {
    const bad = await trpcError(caller.cell0.delete({ uuids: ['not-a-uuid'] }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toBe('uuids.0: must be a uuid (8-4-4-4-12 hexadecimal digits)');
    expect((await trpcError(caller.cell0.delete({ uuids: [] }))).message).toBe('uuids: choose at least one instance');
    expect((await trpcError(caller.buildRequests.list({ stuckAfterMinutes: 0 }))).code).toBe('BAD_REQUEST');
    expect((await trpcError(caller.cell0.list({ limit: 5000 }))).code).toBe('BAD_REQUEST');
    expect((await trpcError(caller.cell0.export({ format: 'xml' as 'csv' }))).code).toBe('BAD_REQUEST');
  });

  it('treats blank filters as no filter', async () => {
    const uuid = await buryInCell0(dep);
    const r = await caller.cell0.list({ fault: '  ', flavor: '', project: '' });
    expect(r.state === 'up' && r.data.rows.map((x) => x.uuid)).toEqual([uuid]);
  });
});

describe('triage router: deleting cell0 instances', () => {
  it("records the caller in the audit log; like nova's local delete, it writes no delete instance action", async () => {
    const uuid = await buryInCell0(dep, { projectId: 'p-actor' });
    expect(await caller.cell0.delete({ uuids: [uuid] })).toEqual({ deleted: [uuid], alreadyDeleted: [], notFound: [] });
    // nova records a delete action only when the delete goes to an up compute host
    // (nova/compute/api.py _delete); a cell0 instance has none, so its delete is local.
    expect(await dep.cell0.handle.sql`select id from instance_actions where instance_uuid = ${uuid} and action = 'delete'`).toEqual([]);
    // A router called in-process (no HTTP request) acts as the internal operator "in-process".
    const [row] = await dep.api.sql<{ actor: string; action: string; outcome: string }[]>`
      select actor, action, outcome from cellar.audit_log where action = 'cell0.delete' order by id desc limit 1`;
    expect(row).toEqual({ actor: 'in-process', action: 'cell0.delete', outcome: 'done' });
  });
});

describe('triage router: refusals keep their kind and plain message', () => {
  it('a delete of an instance in cell1 is a CONFLICT saying where it is', async () => {
    const cell1 = dep.cells[0]!;
    const uuid = crypto.randomUUID();
    await cell1.handle.db.insert(instances).values({ uuid, projectId: 'p', vmState: 'active' });
    await dep.api.db.insert(instanceMappings).values({ instanceUuid: uuid, cellId: cell1.id, projectId: 'p' });
    const e = await trpcError(caller.cell0.delete({ uuids: [uuid] }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain(`${uuid} is in cell cell1, not in cell0`);
    expect(e.message).not.toMatch(/at .*\.ts:\d+/);
  });

  it('an unknown marker is NOT_FOUND', async () => {
    expect((await trpcError(caller.cell0.list({ marker: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
  });
});

describe('triage router: deleting a build request (nova §5.4, through the boot engine)', () => {
  it('deletes the row, queues the mapping for delete, and the mapping then shows as an orphan', async () => {
    const uuid = crypto.randomUUID();
    await dep.api.db.insert(buildRequests).values({ instanceUuid: uuid, projectId: 'p-br', instance: null });
    await dep.api.db.insert(instanceMappings).values({ instanceUuid: uuid, cellId: null, projectId: 'p-br' });
    const before = await caller.buildRequests.list({});
    expect(before.buildRequests.map((b) => b.instanceUuid)).toContain(uuid);

    const r = await caller.buildRequests.delete({ instanceUuid: uuid });
    expect(r.result).toBe('deleted');
    expect(await dep.api.sql`select id from build_requests where instance_uuid = ${uuid}`).toHaveLength(0);
    expect(await dep.api.sql`select cell_id, queued_for_delete from instance_mappings where instance_uuid = ${uuid}`).toEqual([
      { cell_id: null, queued_for_delete: true },
    ]);

    const after = await caller.buildRequests.list({});
    expect(after.buildRequests.map((b) => b.instanceUuid)).not.toContain(uuid);
    expect(after.orphans).toEqual([expect.objectContaining({ instanceUuid: uuid, queuedForDelete: true })]);

    // Twice is not an error: nova's conductor or a colleague got there first.
    expect((await caller.buildRequests.delete({ instanceUuid: uuid })).result).toBe('already-deleted');
  });
});
