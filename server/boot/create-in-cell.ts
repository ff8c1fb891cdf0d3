import 'server-only';
/**
 * The conductor's `instance.create()` in a cell, for many instances at once: the
 * instances rows, instance_extra with the embedded flavor, the `create` instance action
 * and its event, and for a burial in cell0 the fault — one transaction per cell, one
 * multi-row insert per table.
 *
 * A placed instance is written as the compute leaves it after a good build (vm_state
 * active, power_state running, launched_at): Cellar has no nova-compute to finish the
 * build, so it records the finished state at once, with the compute's
 * `compute__do_build_and_run_instance` event. A buried one is written as
 * _bury_in_cell0 plus set_vm_state_and_notify leave it: vm_state error, task_state NULL,
 * host and node NULL, the fault, and the failed `conductor_schedule_and_build_instances` event.
 *
 * Every row sets `deleted = 0` (nova's default is Python-side: its tables have none), and
 * instances.compute_id only where the cell has it (nova added it in 2023.2; a nova 26
 * cell has none) — for the stand-in run on a deployment nova made with --allow-on-nova.
 */
import { getTableColumns, sql } from 'drizzle-orm';
import { instanceActions, instanceActionsEvents, instanceExtra, instanceFaults, instances } from '@/db/cell/schema';
import type { CellHandle } from '@/db/connect';
import { POWER_STATE } from '../nova/constants';
import { instanceExtraFlavor, sanitizeHostname } from '../nova/primitives';
import type { PendingInstance } from './build-request';
import { type BootFault, conductorHost } from './faults';

/** Hosts without an availability-zone aggregate are in nova's default_availability_zone. */
export const DEFAULT_AVAILABILITY_ZONE = 'nova';

export interface Placement {
  host: string;
  node: string;
  computeId: number;
}

export type InstanceToCreate =
  | { pending: PendingInstance; placement: Placement; fault?: never }
  | { pending: PendingInstance; placement?: never; fault: BootFault };

/**
 * Writes the instances; returns the uuids it created. A uuid already present in the
 * cell (another conductor got there first) is left alone and not returned.
 */
export async function createInstancesInCell(
  handle: CellHandle,
  items: readonly InstanceToCreate[],
  opts: { now: Date; requestId: string },
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const { now, requestId } = opts;
  const conductor = conductorHost();
  const [col] = await handle.sql<{ present: boolean }[]>`
    select exists (select 1 from information_schema.columns
                   where table_schema = 'public' and table_name = 'instances' and column_name = 'compute_id') as present`;
  const hasComputeId = col!.present;
  return handle.db.transaction(async (tx) => {
    const rows = items.map(({ pending: p, placement }) => ({
      uuid: p.uuid,
      userId: p.userId,
      projectId: p.projectId,
      imageRef: p.imageRef,
      kernelId: p.kernelId ?? '',
      ramdiskId: p.ramdiskId ?? '',
      hostname: p.hostname ?? sanitizeHostname(p.displayName ?? 'server'),
      launchIndex: p.launchIndex,
      keyName: p.keyName,
      powerState: placement ? POWER_STATE.RUNNING : POWER_STATE.NOSTATE,
      vmState: placement ? 'active' : 'error',
      taskState: null,
      memoryMb: p.flavor.memoryMb,
      vcpus: p.flavor.vcpus,
      rootGb: p.flavor.rootGb,
      ephemeralGb: p.flavor.ephemeralGb,
      host: placement?.host ?? null,
      node: placement?.node ?? null,
      computeId: placement?.computeId ?? null,
      instanceTypeId: p.instanceTypeId,
      reservationId: p.reservationId,
      launchedAt: placement ? now : null,
      launchedOn: placement?.host ?? null,
      availabilityZone: placement ? (p.availabilityZone ?? DEFAULT_AVAILABILITY_ZONE) : p.availabilityZone,
      displayName: p.displayName,
      displayDescription: p.displayDescription,
      locked: false,
      lockedBy: p.lockedBy,
      progress: 0,
      cleaned: 0,
      hidden: false,
      createdAt: now,
      updatedAt: now,
      deleted: 0,
    }));
    // One multi-row INSERT, its columns those of Cellar's instances table that the cell has.
    const columns = Object.entries(getTableColumns(instances)).filter(([key]) => key !== 'id' && (key !== 'computeId' || hasComputeId));
    const inserted = await tx.execute<{ uuid: string }>(sql`
      insert into instances (${sql.join(
        columns.map(([, c]) => sql.identifier(c.name)),
        sql`, `,
      )})
      values ${sql.join(
        rows.map(
          (r) =>
            sql`(${sql.join(
              columns.map(([key, c]) => {
                const v = (r as Record<string, unknown>)[key];
                return v === undefined || v === null ? sql`null` : sql`${c.mapToDriverValue(v)}`;
              }),
              sql`, `,
            )})`,
        ),
        sql`, `,
      )}
      on conflict (uuid) do nothing
      returning uuid`);
    const created = new Set(inserted.map((r) => r.uuid));
    const mine = items.filter((i) => created.has(i.pending.uuid));
    if (mine.length === 0) return created;

    await tx.insert(instanceExtra).values(
      mine.map(({ pending: p }) => ({
        instanceUuid: p.uuid,
        flavor: instanceExtraFlavor(p.flavorPrimitive),
        pciRequests: '[]',
        createdAt: now,
        updatedAt: null,
        deleted: 0,
      })),
    );

    const actions = await tx
      .insert(instanceActions)
      .values(
        mine.map(({ pending: p, fault }) => ({
          action: 'create',
          instanceUuid: p.uuid,
          requestId,
          userId: p.userId,
          projectId: p.projectId,
          startTime: now,
          finishTime: null,
          // nova's action_event_finish marks the action when an event ends in error.
          message: fault ? 'Error' : null,
          createdAt: now,
          updatedAt: now,
          deleted: 0,
        })),
      )
      .returning({ id: instanceActions.id, instanceUuid: instanceActions.instanceUuid });
    const actionId = new Map(actions.map((a) => [a.instanceUuid, a.id]));

    await tx.insert(instanceActionsEvents).values(
      mine.map(({ pending: p, placement, fault }) =>
        placement
          ? {
              event: 'compute__do_build_and_run_instance',
              actionId: actionId.get(p.uuid)!,
              startTime: now,
              finishTime: now,
              result: 'Success',
              traceback: null,
              host: placement.host,
              details: null,
              createdAt: now,
              updatedAt: now,
              deleted: 0,
            }
          : {
              event: 'conductor_schedule_and_build_instances',
              actionId: actionId.get(p.uuid)!,
              startTime: now,
              finishTime: now,
              result: 'Error',
              traceback: fault!.traceback,
              host: conductor,
              details: fault!.message,
              createdAt: now,
              updatedAt: now,
              deleted: 0,
            },
      ),
    );

    const faults = mine.filter((i) => i.fault);
    if (faults.length > 0) {
      await tx.insert(instanceFaults).values(
        faults.map(({ pending: p, fault }) => ({
          instanceUuid: p.uuid,
          code: fault!.code,
          message: fault!.message,
          details: fault!.code === 500 ? fault!.details : '',
          host: conductor,
          createdAt: now,
          updatedAt: null,
          deleted: 0,
        })),
      );
    }
    return created;
  });
}
