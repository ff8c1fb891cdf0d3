import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMarker } from '../keyset';
import { instances } from '@/db/cell/schema';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { createCallerFactory } from '../trpc';
import { hostsRouter } from './router';
import { addComputeHosts, testDeps } from './testing';
import { trpcError } from '@/server/testing';

let dep: TestDeployment;
let cell1: TestCell;
const createCaller = createCallerFactory(hostsRouter);
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  cell1 = dep.cells[0]!;
  const deps = testDeps(dep);
  caller = createCaller({ requestId: 'test', deps: () => deps });
  await addComputeHosts(cell1, [{ host: 'busy' }, { host: 'fresh' }]);
  await dep.api.sql`insert into host_mappings (cell_id, host) values (${cell1.id}, 'busy')`;
  await cell1.handle.db.insert(instances).values({ uuid: '11111111-1111-4111-8111-000000000001', projectId: 'p', host: 'busy', vmState: 'active' });
});
afterAll(async () => {
  await dep?.close();
});

describe('hosts router', () => {
  it('declares reads for viewers and changes for operators', () => {
    const roles = Object.fromEntries(
      Object.entries(hostsRouter._def.procedures).map(([name, p]) => [name, (p as { _def: { meta?: { minRole: string } } })._def.meta?.minRole]),
    );
    expect(roles).toEqual({
      mappings: 'viewer',
      reachability: 'viewer',
      deleteMapping: 'operator',
      unmapped: 'viewer',
      discover: 'operator',
      discoverySchedule: 'viewer',
      setDiscoveryPaused: 'operator',
      lastDiscovery: 'viewer',
    });
  });

  it('rejects bad input before any work: a page size not offered, a malformed uuid, a blank host', async () => {
    const size = await trpcError(caller.mappings({ size: 7 }));
    expect([size.code, size.message]).toEqual(['BAD_REQUEST', 'size: page size is one of 25, 50, 100, 200']);
    const uuid = await trpcError(caller.discover({ cellUuid: 'cell1' }));
    expect([uuid.code, uuid.message]).toEqual(['BAD_REQUEST', 'cellUuid: a cell uuid looks like 8-4-4-4-12 hexadecimal digits']);
    const host = await trpcError(caller.deleteMapping({ cellUuid: cell1.uuid, host: '   ' }));
    expect([host.code, host.message]).toEqual(['BAD_REQUEST', 'host: a host name is required']);
    const sort = await trpcError(caller.mappings({ sort: 'instances' as 'host' }));
    expect([sort.code, sort.message]).toEqual(['BAD_REQUEST', 'sort: sort is one of host, cell, created_at']);
  });

  it('pages in the order asked, and refuses a marker of another order as a bad request in plain words', async () => {
    const desc = await caller.mappings({ sort: 'created_at', dir: 'desc', size: 25 });
    expect(desc.rows.length).toBeGreaterThan(0);
    const first = await caller.mappings({ size: 25 });
    const wrong = await trpcError(caller.mappings({ sort: 'cell', dir: 'desc', after: encodeMarker({ key: 'host', dir: 'asc' }, [first.rows[0]!.host]) }));
    expect([wrong.code, wrong.message]).toEqual([
      'BAD_REQUEST',
      'This page marker was made for the list sorted by host, A to Z, not by cell, Z to A: open the first page again.',
    ]);
  });

  it("turns nova's refusals into typed errors with the plain message", async () => {
    const busy = await trpcError(caller.deleteMapping({ cellUuid: cell1.uuid, host: 'busy' }));
    expect([busy.code, busy.message]).toEqual(['CONFLICT', 'There are instances on the host busy.']);
    const ghost = await trpcError(caller.deleteMapping({ cellUuid: cell1.uuid, host: 'ghost' }));
    expect([ghost.code, ghost.message]).toEqual(['NOT_FOUND', 'The host ghost was not found.']);
  });

  it('records who discovered (the caller; in-process here) and shows that run as the last one', async () => {
    const dry = await caller.discover({ dryRun: true });
    expect(dry.wouldMap.map((h) => h.host)).toEqual(['fresh']);
    const real = await caller.discover({});
    expect(real.newlyMapped.map((h) => h.host)).toEqual(['fresh']);
    const last = await caller.lastDiscovery();
    expect(last.lastRun).toMatchObject({ id: real.runId, actor: 'in-process', newlyMapped: 1 });
    expect(last.lastDryRun).toMatchObject({ id: dry.runId, actor: 'in-process', wouldMap: 1 });
    const page = await caller.mappings({ host: 'fre' });
    expect(page.rows.map((r) => r.host)).toEqual(['fresh']);
  });
});
