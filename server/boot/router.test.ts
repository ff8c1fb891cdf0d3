import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallerFactory } from '../trpc';
import { bootRouter } from './router';
import { type BootTestDeployment, bootDeployment } from './testing';
import { trpcError } from '@/server/testing';

let t: BootTestDeployment;
const createCaller = createCallerFactory(bootRouter);
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  t = await bootDeployment();
  caller = createCaller({ requestId: 'test', deps: () => t.deps });
  await t.compute(t.cell1, 'cmp-1', { vcpus: 8, memoryMb: 16384, localGb: 200 });
});
afterAll(async () => {
  await t?.close();
});

describe('boot router', () => {
  it('declares capacity for viewers, accept and schedule for operators', () => {
    const roles = Object.fromEntries(
      Object.entries(bootRouter._def.procedures).map(([name, p]) => [name, (p as { _def: { meta?: { minRole: string } } })._def.meta?.minRole]),
    );
    expect(roles).toEqual({ capacity: 'viewer', accept: 'operator', schedule: 'operator' });
  });

  it('accepts, schedules and reports capacity through the procedures', async () => {
    const accepted = await caller.accept({ flavor: 'm1.small', count: 2 });
    expect(accepted.instanceUuids).toHaveLength(2);
    const scheduled = await caller.schedule({ instanceUuids: accepted.instanceUuids });
    expect(scheduled.outcomes.map((o) => o.result)).toEqual(['built', 'built']);
    const capacity = await caller.capacity();
    const small = capacity.cells.find((c) => c.cell.uuid === t.cell1.uuid)!.figures!.flavors.find((f) => f.name === 'm1.small')!;
    // cmp-1 at nova's initial ratios (4.0 / 1.0 / 1.0) after two m1.small: free (30, 16384 − 512 − 4096, 160) → min(30, 5, 8).
    expect(small.slots).toBe(5);
  });

  it('rejects bad input before any work, and turns refusals into typed errors with the plain message', async () => {
    const count = await trpcError(caller.accept({ flavor: 'm1.small', count: 0 }));
    expect([count.code, count.message]).toEqual(['BAD_REQUEST', 'count: The count must be at least 1']);
    const uuid = await trpcError(caller.schedule({ instanceUuids: ['not-a-uuid'] }));
    expect([uuid.code, uuid.message]).toEqual(['BAD_REQUEST', 'instanceUuids.0: Each instance uuid must be a uuid']);
    const none = await trpcError(caller.schedule({ instanceUuids: [] }));
    expect(none.message).toBe('instanceUuids: Name at least one instance uuid');
    const flavor = await trpcError(caller.accept({ flavor: 'm9.nope' }));
    expect([flavor.code, flavor.message]).toEqual(['NOT_FOUND', 'Flavor with name m9.nope could not be found.']);
  });
});
