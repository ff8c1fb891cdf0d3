import 'server-only';
/**
 * The API side of a boot (nova/compute/api.py::_provision_instances, cells-v2.md §5.1):
 * the servers are accepted before they have a home. For each of `count` instances, a
 * build request (the not-yet-persisted Instance: vm_state building, task_state
 * scheduling, flavor embedded), a request spec (flavor embedded, num_instances = count)
 * and an instance mapping with no cell — all in one api-database transaction, one
 * multi-row insert per table.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { buildRequests, flavorExtraSpecs, flavors, instanceMappings, requestSpecs } from '@/db/api/schema';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { type AcceptBootInput, acceptBootInput } from './accept-boot-input';
import { refuseStandInOnNova } from './stand-in';
import { buildRequestInstancePrimitive, flavorPrimitive, imageBdmListPrimitive, requestSpecPrimitive, tagListPrimitive } from '../nova/primitives';

export interface AcceptedBoot {
  instanceUuids: string[];
  reservationId: string;
  flavor: { id: number; name: string; flavorid: string; vcpus: number; memoryMb: number; rootGb: number; ephemeralGb: number; swap: number };
  projectId: string;
  userId: string;
  imageRef: string;
  displayNames: string[];
}

/** nova's reservation id: 'r-' and eight characters, shared by the servers of one request. */
function reservationId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(8);
  return `r-${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

export async function acceptBoot(deps: Deps, input: AcceptBootInput): Promise<AcceptedBoot> {
  const parsed = acceptBootInput.safeParse(input);
  if (!parsed.success) throw refuse.invalid(parsed.error.issues.map((i) => i.message).join('; '), 1);
  const req = parsed.data;
  await refuseStandInOnNova(deps, 'boot', req.allowOnNova);
  const [row] = await deps.api.db.select().from(flavors).where(eq(flavors.name, req.flavor));
  // nova: FlavorNotFoundByName for an unknown name; a disabled flavor is refused as not found.
  if (!row) throw refuse.notFound(`Flavor with name ${req.flavor} could not be found.`, 1);
  if (row.disabled) throw refuse.invalid(`Flavor ${req.flavor} could not be found: it is disabled, and nova boots no server from a disabled flavor.`, 1);
  const specs = await deps.api.db.select().from(flavorExtraSpecs).where(eq(flavorExtraSpecs.flavorId, row.id));
  const flavor = flavorPrimitive({ ...row, extraSpecs: Object.fromEntries(specs.map((s) => [s.key, s.value ?? ''])) });

  const now = deps.now();
  const rid = reservationId();
  // nova's multi-create display names: '%(name)s-%(count)d' when more than one.
  const servers = Array.from({ length: req.count }, (_, i) => ({
    uuid: crypto.randomUUID(),
    displayName: req.count > 1 ? `${req.name}-${i + 1}` : req.name,
    launchIndex: i,
  }));

  await deps.api.db.transaction(async (tx) => {
    await tx.insert(requestSpecs).values(
      servers.map((s) => ({
        instanceUuid: s.uuid,
        spec: JSON.stringify(
          requestSpecPrimitive({
            instanceUuid: s.uuid,
            flavor,
            image: { id: req.imageRef },
            projectId: req.projectId,
            userId: req.userId,
            numInstances: req.count,
          }),
        ),
        createdAt: now,
      })),
    );
    await tx.insert(buildRequests).values(
      servers.map((s) => ({
        instanceUuid: s.uuid,
        projectId: req.projectId,
        instance: JSON.stringify(
          buildRequestInstancePrimitive({
            uuid: s.uuid,
            displayName: s.displayName,
            projectId: req.projectId,
            userId: req.userId,
            imageRef: req.imageRef,
            flavor,
            reservationId: rid,
            launchIndex: s.launchIndex,
          }),
        ),
        blockDeviceMappings: JSON.stringify(imageBdmListPrimitive({ instanceUuid: s.uuid, imageId: req.imageRef })),
        tags: JSON.stringify(tagListPrimitive([])),
        createdAt: now,
      })),
    );
    await tx
      .insert(instanceMappings)
      .values(
        servers.map((s) => ({ instanceUuid: s.uuid, cellId: null, projectId: req.projectId, userId: req.userId, queuedForDelete: false, createdAt: now })),
      );
  });

  const data = flavor['nova_object.data'];
  return {
    instanceUuids: servers.map((s) => s.uuid),
    reservationId: rid,
    flavor: {
      id: data.id,
      name: data.name,
      flavorid: data.flavorid,
      vcpus: data.vcpus,
      memoryMb: data.memory_mb,
      rootGb: data.root_gb,
      ephemeralGb: data.ephemeral_gb,
      swap: data.swap,
    },
    projectId: req.projectId,
    userId: req.userId,
    imageRef: req.imageRef,
    displayNames: servers.map((s) => s.displayName),
  };
}
