/**
 * Test helpers for triage: a deployment's Deps, cell0 instances written the way nova's
 * _bury_in_cell0 leaves them (§5.2), and a cell0 that stops answering.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { eq } from 'drizzle-orm';
import { cellMappings, instanceMappings, requestSpecs } from '@/db/api/schema';
import { instanceActions, instanceActionsEvents, instanceExtra, instanceFaults, instances } from '@/db/cell/schema';
import type { TestDeployment } from '@/db/testing/deployment';
import { seedDemo } from '../demo/seed';
import type { Deps } from '../deps';
import { CELL0_UUID } from '../nova/constants';
import { flavorPrimitive, instanceExtraFlavor, requestSpecPrimitive } from '../nova/primitives';

export function depsFor(dep: TestDeployment, opts: { deadlineMs?: number; now?: () => Date } = {}): Deps {
  return { api: dep.api, registry: dep.registry, deadlineMs: opts.deadlineMs ?? 2000, serviceDownTimeS: 60, now: opts.now ?? (() => new Date()) };
}

export function testFlavor(name: string, over: { id?: number; vcpus?: number; memoryMb?: number } = {}) {
  return flavorPrimitive({
    id: over.id ?? 42,
    name,
    memoryMb: over.memoryMb ?? 2048,
    vcpus: over.vcpus ?? 2,
    rootGb: 20,
    ephemeralGb: 0,
    flavorid: `${name}-id`,
    swap: 0,
    rxtxFactor: 1,
    vcpuWeight: null,
    disabled: false,
    isPublic: true,
    description: null,
  });
}

export interface BuriedInstance {
  uuid?: string;
  name?: string;
  projectId?: string;
  userId?: string;
  imageRef?: string;
  flavor?: string;
  /** Raw instance_extra.flavor text, to store something nova did not write. */
  flavorJson?: string | null;
  createdAt?: Date;
  faults?: Array<{ message: string | null; code?: number; details?: string | null; createdAt?: Date; deleted?: boolean }>;
  /** No instance mapping at all. */
  unmapped?: boolean;
}

const HOUR = 3_600_000;

/**
 * Write one instance the way _bury_in_cell0 leaves it: vm_state error, host NULL, its
 * embedded flavor, the faults, a create action with a failed
 * conductor_schedule_and_build_instances event, its mapping to cell0 and its request spec.
 */
export async function buryInCell0(dep: TestDeployment, b: BuriedInstance = {}): Promise<string> {
  const uuid = b.uuid ?? crypto.randomUUID();
  const created = b.createdAt ?? new Date(Date.now() - HOUR);
  const projectId = b.projectId ?? 'p-triage';
  const userId = b.userId ?? 'u-triage';
  const flavor = testFlavor(b.flavor ?? 'm1.small');
  const h = dep.cell0.handle.db;
  await h.insert(instances).values({
    uuid,
    displayName: b.name ?? `vm-${uuid.slice(0, 8)}`,
    projectId,
    userId,
    imageRef: b.imageRef ?? 'img-1',
    vmState: 'error',
    taskState: null,
    powerState: 0,
    host: null,
    node: null,
    createdAt: created,
  });
  await h
    .insert(instanceExtra)
    .values({ instanceUuid: uuid, flavor: b.flavorJson === undefined ? instanceExtraFlavor(flavor) : b.flavorJson, createdAt: created });
  const faults = b.faults ?? [
    { message: 'No valid host was found. There are not enough hosts available.', code: 500, details: 'Traceback (most recent call last):\n  File "x"' },
  ];
  for (const [n, f] of faults.entries()) {
    const [row] = await h
      .insert(instanceFaults)
      .values({
        instanceUuid: uuid,
        message: f.message,
        code: f.code ?? 500,
        details: f.details ?? null,
        host: 'conductor-1',
        createdAt: f.createdAt ?? new Date(created.getTime() + (n + 1) * 1000),
      })
      .returning({ id: instanceFaults.id });
    if (f.deleted) await h.update(instanceFaults).set({ deleted: row!.id, deletedAt: new Date() }).where(eq(instanceFaults.id, row!.id));
  }
  const [action] = await h
    .insert(instanceActions)
    .values({ action: 'create', instanceUuid: uuid, requestId: `req-${crypto.randomUUID()}`, userId, projectId, startTime: created, message: 'Error' })
    .returning({ id: instanceActions.id });
  await h.insert(instanceActionsEvents).values({
    event: 'conductor_schedule_and_build_instances',
    actionId: action!.id,
    startTime: created,
    finishTime: created,
    result: 'Error',
    traceback: 'Traceback (most recent call last):',
    host: 'conductor-1',
  });
  if (!b.unmapped) {
    await dep.api.db
      .insert(instanceMappings)
      .values({ instanceUuid: uuid, cellId: dep.cell0.id, projectId, userId, queuedForDelete: false, createdAt: created });
  }
  await dep.api.db.insert(requestSpecs).values({
    instanceUuid: uuid,
    spec: JSON.stringify(requestSpecPrimitive({ instanceUuid: uuid, flavor, image: { id: b.imageRef ?? 'img-1' }, projectId, userId })),
  });
  return uuid;
}

/** Point cell0's mapping at a port nobody listens on until `restore` is called. */
export async function takeCell0Down(dep: TestDeployment): Promise<{ restore(): Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  await dep.api.db
    .update(cellMappings)
    .set({ databaseConnection: `postgresql://nova:s3cret-cell0@127.0.0.1:${port}/nova_cell0` })
    .where(eq(cellMappings.uuid, CELL0_UUID));
  return {
    restore: async () => {
      await dep.api.db.update(cellMappings).set({ databaseConnection: dep.cell0.url }).where(eq(cellMappings.uuid, CELL0_UUID));
    },
  };
}

/** The demo deployment (server/demo/seed.ts) written into a test deployment with cells cell1 and cell2. */
export function seedDemoInto(dep: TestDeployment, now: Date) {
  return seedDemo({ api: dep.api, cells: { cell0: dep.cell0, cell1: dep.cells[0]!, cell2: dep.cells[1]! }, now });
}

/** The single row of a one-row query. */
export async function one<T>(query: PromiseLike<readonly T[]>): Promise<T> {
  const rows = await query;
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
  return rows[0]!;
}
