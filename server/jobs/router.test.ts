import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import type { Role } from '../auth/roles';
import type { Deps } from '../deps';
import { type Context, createCallerFactory } from '../trpc';
import { jobsRouter } from './router';
import { jobsTestDeps } from './testing';
import { trpcError } from '@/server/testing';

let dep: TestDeployment;
let deps: Deps;
let cell: TestCell;
const createCaller = createCallerFactory(jobsRouter);
const as = (role: Role, name = `${role}-user`) =>
  createCaller({ requestId: 'test', deps: () => deps, resolvePrincipal: async () => ({ principal: { kind: 'user', name, role } }) } satisfies Context);

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  deps = jobsTestDeps(dep);
  cell = dep.cells[0]!;
});
afterAll(() => dep?.close());

describe('jobs router', () => {
  it('declares starting for operators, reading for viewers', () => {
    const roles = Object.fromEntries(
      Object.entries(jobsRouter._def.procedures).map(([name, p]) => [name, (p as { _def: { meta?: { minRole: string } } })._def.meta?.minRole]),
    );
    expect(roles).toEqual({ startMapInstances: 'operator', get: 'viewer', listForCell: 'viewer' });
  });

  it('an operator queues map_instances once; pressing again returns the same job with a plain message', async () => {
    const first = await as('operator', 'olga').startMapInstances({ cellUuid: cell.uuid });
    expect(first).toMatchObject({ created: true, message: 'map_instances for cell cell1 is queued.' });
    expect(first.job).toMatchObject({ kind: 'map_instances', target: cell.uuid, state: 'queued', actor: 'olga' });
    expect(first.job.progress).toEqual({ total: null, scanned: 0, mapped: 0, alreadyMapped: 0, skipped: 0, batches: 0, marker: null });
    const second = await as('operator', 'oscar').startMapInstances({ cellUuid: cell.uuid });
    expect(second).toMatchObject({ created: false, message: 'A map_instances job for this cell is already queued or running.' });
    expect(second.job.id).toBe(first.job.id);

    const viewer = as('viewer');
    expect((await viewer.listForCell({ cellUuid: cell.uuid })).map((j) => j.id)).toEqual([first.job.id]);
    expect(await viewer.get({ id: first.job.id })).toMatchObject({ id: first.job.id, state: 'queued', actor: 'olga' });
  });

  it('refuses viewers and support staff the start, and says who may', async () => {
    for (const role of ['viewer', 'support'] as const) {
      const e = await trpcError(as(role).startMapInstances({ cellUuid: cell.uuid }));
      expect(e.code).toBe('FORBIDDEN');
    }
  });

  it('refuses bad input and unknown things with plain messages', async () => {
    const op = as('operator');
    const bad = await trpcError(op.startMapInstances({ cellUuid: 'not-a-uuid' }));
    expect([bad.code, bad.message]).toEqual(['BAD_REQUEST', 'cellUuid: a cell uuid looks like 8-4-4-4-12 hexadecimal digits']);
    const unknown = await trpcError(op.startMapInstances({ cellUuid: '9d0c0b7e-0000-4000-8000-00000000dead' }));
    expect([unknown.code, unknown.message]).toEqual(['NOT_FOUND', 'Cell with uuid 9d0c0b7e-0000-4000-8000-00000000dead was not found.']);
    const noJob = await trpcError(op.get({ id: 424242 }));
    expect([noJob.code, noJob.message]).toEqual(['NOT_FOUND', 'Job 424242 was not found.']);
    expect((await trpcError(op.get({ id: -1 }))).code).toBe('BAD_REQUEST');
    expect(await op.listForCell({ cellUuid: '9d0c0b7e-0000-4000-8000-00000000dead' })).toEqual([]);
  });
});
