/**
 * `cellUuids` on every fan-out procedure: the cells named are the only cells asked (a
 * registry wrapper records every cell the fan-out reaches), the answer covers only them,
 * an empty list asks none, and the input is validated and bounded.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellRegistry } from '@/db/registry';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { silentServer } from '@/db/testing/network';
import type { Deps } from '../deps';
import { createCaller } from '../root';
import { trpcError } from '../testing';
import { MAX_CELLS_PER_CALL } from './cell-ref';

let dep: TestDeployment;
let asked: string[];
let caller: ReturnType<typeof createCaller>;
let silent: Awaited<ReturnType<typeof silentServer>>;
let hungUuid: string;
const DEADLINE = 1500;

/** The registry, recording the uuid of every cell any of its methods is given (whatever the fan-out calls). */
function recording(registry: CellRegistry): CellRegistry {
  return new Proxy(registry, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        for (const a of args.flat()) if (a && typeof a === 'object' && 'uuid' in a && 'databaseConnection' in a) asked.push((a as { uuid: string }).uuid);
        return value.apply(target, args);
      };
    },
  });
}

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  silent = await silentServer();
  // A cell that never answers: asking it would cost the whole deadline.
  hungUuid = crypto.randomUUID();
  await dep.addCell({ name: 'hung', uuid: hungUuid, url: `postgresql://nova:pw@127.0.0.1:${silent.port}/nova_hung` });
  const deps: Deps = { api: dep.api, registry: recording(dep.registry), deadlineMs: DEADLINE, serviceDownTimeS: 60, now: () => new Date() };
  caller = createCaller({ requestId: 'test', deps: () => deps });
});
afterAll(async () => {
  await dep?.close();
  await silent?.close();
});

describe('cellUuids: a fan-out procedure asks only the cells named', () => {
  it('cells.list, boot.capacity, hosts.reachability, hosts.unmapped, instances.list, checks.run ask that one cell and answer for it alone', async () => {
    const cell1 = dep.cells[0]!.uuid;
    const only = { cellUuids: [cell1] };
    asked = [];
    const [list, capacity, reach, unmapped, instances, checks] = await Promise.all([
      caller.cells.list(only),
      caller.boot.capacity(only),
      caller.hosts.reachability(only),
      caller.hosts.unmapped(only),
      caller.instances.list(only),
      caller.checks.run(only),
    ]);
    // Only cell1 was reached: not the hung cell (whose deadline nothing waited for), nor any other.
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set([cell1]));

    expect(list.cells.map((c) => c.uuid)).toEqual([cell1]);
    expect(list).toMatchObject({ answered: 1, total: 1, frame: null });
    expect(capacity.cells.map((c) => c.cell.uuid)).toEqual([cell1]);
    expect(reach.cells.map((c) => c.uuid)).toEqual([cell1]);
    expect(unmapped.cells.map((c) => c.uuid)).toEqual([cell1]);
    expect(instances).toMatchObject({ answered: 1, total: 1 });
    expect(checks.parts?.cells.map((c) => c.cell.uuid)).toEqual([cell1]);
    expect(checks.parts?.context).toBeNull();
  });

  it('asks the hung cell alone when it is named, and answers it down within the deadline', async () => {
    asked = [];
    const list = await caller.cells.list({ cellUuids: [hungUuid] });
    expect(new Set(asked)).toEqual(new Set([hungUuid]));
    expect(list.cells).toHaveLength(1);
    expect(list.cells[0]).toMatchObject({ uuid: hungUuid, status: 'down', reason: 'timeout' });
  });

  it('an empty list asks no cell: the frame (every mapping) and the api side of the checks', async () => {
    asked = [];
    const [list, checks] = await Promise.all([caller.cells.list({ cellUuids: [] }), caller.checks.run({ cellUuids: [] })]);
    expect(asked).toEqual([]);
    expect(list.cells).toEqual([]);
    expect(list.frame?.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2', 'hung']);
    expect(checks.parts?.cells).toEqual([]);
    expect(checks.parts?.context?.cellMappings.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2', 'hung']);
  });

  it('without cellUuids every cell is asked, as before', async () => {
    asked = [];
    const list = await caller.cells.list();
    expect(new Set(asked)).toEqual(new Set([dep.cell0.uuid, ...dep.cells.map((c) => c.uuid), hungUuid]));
    expect(list.frame).toBeNull();
    expect(list.total).toBe(4);
  });

  it('refuses a cellUuids that is not a list of uuids, or longer than the bound, before any cell is asked', async () => {
    asked = [];
    const tooMany = Array.from({ length: MAX_CELLS_PER_CALL + 1 }, () => crypto.randomUUID());
    for (const bad of [{ cellUuids: ['cell1'] }, { cellUuids: tooMany }]) {
      for (const call of [
        () => caller.cells.list(bad),
        () => caller.boot.capacity(bad),
        () => caller.hosts.reachability(bad),
        () => caller.hosts.unmapped(bad),
        () => caller.instances.list(bad),
        () => caller.checks.run(bad),
      ]) {
        expect((await trpcError(call())).code).toBe('BAD_REQUEST');
      }
    }
    expect(asked).toEqual([]);
  });
});
