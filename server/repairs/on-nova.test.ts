/**
 * The repairs on a deployment nova made, read back by nova itself: after each,
 * `nova-manage cell_v2 verify_instance` (and discover_hosts) agree with what Cellar did,
 * and nova's schemas are as they were.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVA_TEST_TIMEOUT_MS } from '@/db/testing/nova/nova-deployment';
import { runCli } from '../cli/testing';
import { type CellarOnNova, cellarOnNova } from '../on-nova/testing';

let t: CellarOnNova;
let before: Record<string, string>;
beforeAll(async () => {
  t = await cellarOnNova();
  before = await t.nova.dumpPublicSchemas();
}, NOVA_TEST_TIMEOUT_MS);
afterAll(() => t?.close());

const nova = (...args: string[]) => t.nova.novaManage(['cell_v2', ...args]);
const repair = (...args: string[]) => runCli(['repair', ...args], { apiUrl: t.nova.api.url });
const HOUR_AGO = "(now() at time zone 'utc') - interval '1 hour'";

describe('repairs on a nova-made deployment, read back by nova', { timeout: NOVA_TEST_TIMEOUT_MS }, () => {
  it('an orphaned mapping deleted: verify_instance goes from 2 (mapping with no cell) to 1 (not mapped)', async () => {
    const uuid = crypto.randomUUID();
    await t.deps.api.sql.unsafe(
      `insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at) values ($1, null, 'p-orphan', 'u-orphan', true, ${HOUR_AGO})`,
      [uuid],
    );
    expect((await nova('verify_instance', '--uuid', uuid)).code).toBe(2);
    const dry = await repair('orphan_instance_mappings', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { rows: { instanceUuid: string }[] }).rows.map((r) => r.instanceUuid)).toEqual([uuid]);
    const ran = await repair('orphan_instance_mappings');
    expect(ran.code, ran.stderr).toBe(0);
    const v = await nova('verify_instance', '--uuid', uuid);
    expect(v.code, v.stdout).toBe(1);
    expect(v.stdout).toContain('is not mapped to a cell');
    expect((await repair('orphan_instance_mappings', '--json')).code).toBe(0);
  });

  it('the build request of a placed instance deleted: verify_instance still finds it in its cell (0)', async () => {
    const uuid = t.nova.facts.byPurpose.live[0]!;
    await t.deps.api.sql.unsafe(`insert into build_requests (instance_uuid, project_id, instance, created_at) values ($1, 'p', null, ${HOUR_AGO})`, [uuid]);
    const ran = await repair('placed_build_requests');
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('1 changed');
    expect((await t.deps.api.sql`select 1 from build_requests where instance_uuid = ${uuid}`).length).toBe(0);
    const v = await nova('verify_instance', '--uuid', uuid);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toContain('is in cell');
  });

  it("a compute node left mapped after its host mapping was deleted by hand: reset, nova's own discover_hosts maps it again", async () => {
    const compute = t.nova.facts.computes.find((c) => c.mapped)!;
    // Whatever the deployment left unmapped is mapped first, so --strict below speaks of this host only.
    expect((await nova('discover_hosts', '--cell_uuid', compute.cellUuid)).code).toBe(0);
    await t.deps.api.sql`delete from host_mappings where host = ${compute.host}`;
    // nova's per-node scan skips a node with mapped = 1: nothing to discover.
    expect((await nova('discover_hosts', '--cell_uuid', compute.cellUuid, '--strict')).code).toBe(1);
    const ran = await repair('mapped_compute_nodes', '--cell_uuid', compute.cellUuid);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('1 changed');
    const again = await nova('discover_hosts', '--cell_uuid', compute.cellUuid, '--strict');
    expect(again.code, again.stdout).toBe(0);
    expect((await nova('list_hosts')).stdout).toContain(compute.host);
    expect(await t.nova.dumpPublicSchemas()).toEqual(before);
  });
});
