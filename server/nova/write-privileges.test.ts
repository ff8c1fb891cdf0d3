/**
 * Read-only operation: Cellar connected with a role that may only SELECT nova's tables
 * (api and cell databases) and write the `cellar` schema of the api database. Every read
 * works; every write is refused before it starts, naming the missing privilege, and
 * leaves every table as it was.
 */
import crypto from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHandle, openApiDatabase } from '@/db/connect';
import { CellRegistry } from '@/db/registry';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { withDatabase } from '@/db/testing/templates';
import { deleteBuildRequest } from '../boot/delete-build-request';
import { createCell } from '../cells/create-cell';
import { deleteCell } from '../cells/delete-cell';
import { listCells } from '../cells/list-cells';
import { mapCell0 } from '../cells/map-cell0';
import { simpleCellSetup } from '../cells/simple-cell-setup';
import { renameCell, setCellDisabled, updateCell } from '../cells/update-cell';
import type { Deps } from '../deps';
import { deleteHost } from '../hosts/delete-host';
import { discoverHosts } from '../hosts/discover-hosts';
import { listHostMappings } from '../hosts/list-host-mappings';
import { addComputeHosts } from '../hosts/testing';
import { lookupInstance } from '../instances/lookup-instance';
import { mapInstances, saveMarker } from '../instances/map-instances';
import { listBuildRequests } from '../triage/build-requests';
import { listCell0Instances } from '../triage/cell0-instances';
import { deleteCell0Instances } from '../triage/delete-cell0-instances';
import { buryInCell0 } from '../triage/testing';
import { refusal } from '@/server/testing';
import { privilegeSentence, readWritePrivileges, requireWritePrivileges } from './write-privileges';

let dep: TestDeployment;
let _admin: Deps;
let ro: Deps;
let roApi: ApiHandle;
let roRegistry: CellRegistry;
let cell1: TestCell;
let emptyCell: { uuid: string };
let cell0Instance: string;
let mappedInstance: string;
let pendingInstance: string;
const role = `cellar_ro_${crypto.randomBytes(4).toString('hex')}`;
const password = crypto.randomBytes(12).toString('hex');
let server: postgres.Sql;
let spareUrl: string;

/** A server URL with another user and password. */
function asRole(url: string): string {
  const u = new URL(url.replace(/^postgres(ql)?:/, 'http:'));
  u.username = role;
  u.password = password;
  return u.toString().replace(/^http:/, 'postgresql:');
}

/** Cell URLs as templates, so each registry reaches the cells with its own credentials. */
const template = (database: string) => `{scheme}://{username}:{password}@{hostname}:{port}/${database}`;

async function grantReadOnly(sql: postgres.Sql, api: boolean): Promise<void> {
  await sql.unsafe(`grant select on all tables in schema public to "${role}"`);
  await sql.unsafe(`grant usage on schema cellar to "${role}"`);
  if (api) {
    await sql.unsafe(`grant all on all tables in schema cellar to "${role}"`);
    await sql.unsafe(`grant all on all sequences in schema cellar to "${role}"`);
  } else {
    await sql.unsafe(`grant select on all tables in schema cellar to "${role}"`);
  }
}

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  cell1 = dep.cells[0]!;
  _admin = { api: dep.api, registry: dep.registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
  for (const c of [dep.cell0, cell1]) {
    await dep.api.sql`update cell_mappings set database_connection = ${template(c.database)} where id = ${c.id}`;
  }
  const spare = await dep.createCellDatabase();
  spareUrl = spare.url;
  const added = await dep.addCell({ name: 'ro-empty', url: template(spare.database), transportUrl: 'rabbit://mq-empty/' });
  emptyCell = { uuid: added.uuid };

  // Something for every write to want to change.
  await addComputeHosts(cell1, [{ host: 'ro-mapped', mapped: 1 }, { host: 'ro-new' }]);
  await dep.api.sql`insert into host_mappings (cell_id, host, created_at) values (${cell1.id}, 'ro-mapped', now())`;
  mappedInstance = crypto.randomUUID();
  await cell1.handle.sql`
    insert into instances (uuid, project_id, user_id, vm_state, host, created_at)
    values (${mappedInstance}, 'p', 'u', 'active', 'ro-mapped', now()),
           (${crypto.randomUUID()}, 'p', 'u', 'active', 'ro-mapped', now())`;
  await dep.api
    .sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete) values (${mappedInstance}, ${cell1.id}, 'p', 'u', false)`;
  cell0Instance = await buryInCell0(dep);
  pendingInstance = crypto.randomUUID();
  await dep.api.sql`insert into build_requests (instance_uuid, project_id, instance, created_at) values (${pendingInstance}, 'p', null, now())`;
  await dep.api
    .sql`insert into instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete) values (${pendingInstance}, null, 'p', 'u', false)`;

  server = postgres(withDatabase(dep.serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  await server.unsafe(`create role "${role}" login password '${password}'`);
  await grantReadOnly(dep.api.sql, true);
  for (const c of [dep.cell0, cell1]) await grantReadOnly(c.handle.sql, false);
  const spareSql = postgres(spareUrl, { max: 1, onnotice: () => {} });
  try {
    await grantReadOnly(spareSql, false);
  } finally {
    await spareSql.end({ timeout: 2 });
  }

  const roApiUrl = asRole(dep.apiUrl);
  roApi = openApiDatabase(roApiUrl, { max: 3 });
  roRegistry = new CellRegistry({ baseUrl: roApiUrl });
  ro = { api: roApi, registry: roRegistry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
});

afterAll(async () => {
  await roRegistry?.closeAll();
  await roApi?.close();
  await dep?.close();
  if (server) {
    await server.unsafe(`drop role if exists "${role}"`);
    await server.end({ timeout: 2 });
  }
});

/** Every row of every table the writes touch, in both kinds of database. */
async function snapshot() {
  const api = dep.api.sql;
  const cells = [dep.cell0, cell1];
  return {
    api: {
      cell_mappings: await api`select * from cell_mappings order by id`,
      host_mappings: await api`select * from host_mappings order by id`,
      instance_mappings: await api`select * from instance_mappings order by id`,
      build_requests: await api`select * from build_requests order by id`,
    },
    cells: await Promise.all(
      cells.map(async (c) => ({
        instances: await c.handle.sql`select * from instances order by id`,
        compute_nodes: await c.handle.sql`select * from compute_nodes order by id`,
        instance_extra: await c.handle.sql`select * from instance_extra order by id`,
        instance_faults: await c.handle.sql`select * from instance_faults order by id`,
        instance_actions: await c.handle.sql`select * from instance_actions order by id`,
      })),
    ),
  };
}

const grant = (what: string) => `GRANT ${what} TO ${role}`;

describe("with a role that may only read nova's tables", () => {
  it('every read works: cells, host mappings, cell0 instances, build requests, verify_instance', async () => {
    const cells = await listCells(ro);
    expect(cells.answered).toBe(cells.total);
    expect(cells.cells.find((c) => c.uuid === cell1.uuid)).toMatchObject({ status: 'up', hostMappings: 1, figures: { liveInstances: 2, computeNodes: 2 } });
    expect((await listHostMappings(ro, {})).rows.map((r) => r.host)).toEqual(['ro-mapped']);
    const cell0 = await listCell0Instances(ro);
    expect(cell0.state === 'up' && cell0.data.rows.map((r) => r.uuid)).toEqual([cell0Instance]);
    expect((await listBuildRequests(ro)).buildRequests.map((b) => b.instanceUuid)).toEqual([pendingInstance]);
    expect((await lookupInstance(ro, mappedInstance)).kind).toBe('in_cell');
    expect((await lookupInstance(ro, pendingInstance)).kind).toBe('scheduling');
  });

  it('every write is refused before it starts, naming the privilege, and no table changes', async () => {
    const before = await snapshot();
    const fresh = await dep.createCellDatabase();
    const refusals = {
      createCell: await refusal(createCell(ro, { name: 'x', transportUrl: 'rabbit://mq-new/', databaseConnection: fresh.url }, { verify: 'warn' })),
      mapCell0: await refusal(mapCell0(ro, { databaseConnection: fresh.url })),
      rename: await refusal(renameCell(ro, { uuid: cell1.uuid, name: 'renamed' })),
      disable: await refusal(setCellDisabled(ro, { uuid: cell1.uuid, disabled: true })),
      updateUrls: await refusal(updateCell(ro, { cellUuid: cell1.uuid, transportUrl: 'rabbit://mq-other/' })),
      deleteCell: await refusal(deleteCell(ro, { cellUuid: emptyCell.uuid })),
      simpleCellSetup: await refusal(simpleCellSetup(ro, { transportUrl: 'rabbit://mq-simple/', databaseConnection: template(cell1.database) })),
      discoverHosts: await refusal(discoverHosts(ro, { actor: 'ro-test' })),
      deleteHost: await refusal(deleteHost(ro, { cellUuid: cell1.uuid, host: 'ro-mapped' })),
      mapInstances: await refusal(mapInstances(ro, { cellUuid: cell1.uuid })),
      saveMarker: await refusal(saveMarker(ro, crypto.randomUUID())),
      deleteCell0Instance: await refusal(deleteCell0Instances(ro, [cell0Instance])),
      deleteBuildRequest: await refusal(deleteBuildRequest(ro, pendingInstance)),
    };
    for (const [name, e] of Object.entries(refusals)) {
      expect([name, e.kind, e.exitCode]).toEqual([name, 'forbidden', 1]);
      expect(e.message, name).toMatch(new RegExp(`^Cellar's database role "${role}" may not `));
      expect(e.message, name).toMatch(/ Nothing was changed\.$/);
    }
    // An INSERT draws its id from the table's sequence: that is named too.
    expect(refusals.createCell.message).toBe(
      `Cellar's database role "${role}" may not INSERT into cell_mappings or use the sequence cell_mappings_id_seq in the api database: ` +
        `this write needs ${grant('INSERT ON cell_mappings')}; ${grant('USAGE ON SEQUENCE cell_mappings_id_seq')}. Nothing was changed.`,
    );
    expect(refusals.mapCell0.message).toContain(grant('INSERT ON cell_mappings'));
    for (const e of [refusals.rename, refusals.disable, refusals.updateUrls]) {
      expect(e.message).toBe(
        `Cellar's database role "${role}" may not UPDATE cell_mappings in the api database: this write needs ${grant('UPDATE ON cell_mappings')}. Nothing was changed.`,
      );
    }
    expect(refusals.deleteCell.message).toBe(
      `Cellar's database role "${role}" may not UPDATE cell_mappings, DELETE from cell_mappings, DELETE from host_mappings or DELETE from instance_mappings ` +
        `in the api database: this write needs ${grant('UPDATE, DELETE ON cell_mappings')}; ${grant('DELETE ON host_mappings')}; ${grant('DELETE ON instance_mappings')}. Nothing was changed.`,
    );
    for (const t of ['cell_mappings', 'host_mappings']) {
      expect(refusals.simpleCellSetup.message).toContain(`${grant(`INSERT ON ${t}`)}; ${grant(`USAGE ON SEQUENCE ${t}_id_seq`)}`);
    }
    expect(refusals.simpleCellSetup.message).toContain(grant('INSERT, DELETE ON instance_mappings'));
    expect(refusals.discoverHosts.message).toBe(
      `Cellar's database role "${role}" may not INSERT into host_mappings or use the sequence host_mappings_id_seq in the api database: ` +
        `this write needs ${grant('INSERT ON host_mappings')}; ${grant('USAGE ON SEQUENCE host_mappings_id_seq')}. Nothing was changed.`,
    );
    expect(refusals.deleteHost.message).toContain(
      `may not DELETE from host_mappings in the api database: this write needs ${grant('DELETE ON host_mappings')}.`,
    );
    for (const e of [refusals.mapInstances, refusals.saveMarker]) {
      expect(e.message).toContain(
        `may not INSERT into instance_mappings, use the sequence instance_mappings_id_seq or DELETE from instance_mappings in the api database: ` +
          `this write needs ${grant('INSERT, DELETE ON instance_mappings')}; ${grant('USAGE ON SEQUENCE instance_mappings_id_seq')}.`,
      );
    }
    // Both databases of the write, in one refusal: the api database and cell0.
    expect(refusals.deleteCell0Instance.message).toContain(
      `may not UPDATE instance_mappings in the api database: this write needs ${grant('UPDATE ON instance_mappings')}.`,
    );
    expect(refusals.deleteCell0Instance.message).toContain(
      `may not UPDATE instances, UPDATE instance_faults or UPDATE instance_extra in the database of cell cell0: this write needs ${grant('UPDATE ON instances')}; ${grant('UPDATE ON instance_faults')}; ${grant('UPDATE ON instance_extra')}.`,
    );
    expect(refusals.deleteBuildRequest.message).toContain(
      `may not DELETE from build_requests or UPDATE instance_mappings in the api database: this write needs ${grant('DELETE ON build_requests')}; ${grant('UPDATE ON instance_mappings')}.`,
    );

    expect(await snapshot()).toEqual(before);
    // A refused discovery is not even recorded as a run.
    expect(await dep.api.sql`select id from cellar.discovery_runs`).toEqual([]);
    // And the reads still work afterwards.
    expect((await listHostMappings(ro, {})).rows).toHaveLength(1);
  });

  it('a write that may change the api database but not the cell is refused before its first statement in either', async () => {
    await dep.api.sql.unsafe(`grant insert, delete on host_mappings to "${role}"; grant usage on sequence host_mappings_id_seq to "${role}"`);
    try {
      const before = await snapshot();
      const discover = await refusal(discoverHosts(ro, { actor: 'ro-test' }));
      expect(discover.message).toBe(
        `Cellar's database role "${role}" may not UPDATE compute_nodes in the database of cell cell1: this write needs ${grant('UPDATE ON compute_nodes')}. Nothing was changed.`,
      );
      const del = await refusal(deleteHost(ro, { cellUuid: cell1.uuid, host: 'ro-mapped' }));
      expect(del.message).toBe(discover.message);
      expect(await snapshot()).toEqual(before);
      // A dry run writes nothing to nova's tables, so it needs nothing more than reads.
      const dry = await discoverHosts(ro, { actor: 'ro-test', dryRun: true });
      expect(dry.wouldMap.map((h) => h.host)).toEqual(['ro-new']);
    } finally {
      await dep.api.sql.unsafe(`revoke insert, delete on host_mappings from "${role}"; revoke usage on sequence host_mappings_id_seq from "${role}"`);
    }
  });

  it('with the privileges granted, the same writes go through', async () => {
    await dep.api.sql.unsafe(`grant insert, delete on host_mappings to "${role}"; grant usage on sequence host_mappings_id_seq to "${role}"`);
    await cell1.handle.sql.unsafe(`grant update on compute_nodes to "${role}"`);
    try {
      const r = await discoverHosts(ro, { actor: 'ro-test' });
      expect(r.newlyMapped.map((h) => h.host)).toEqual(['ro-new']);
      await dep.api.sql`delete from host_mappings where host = 'ro-new'`;
    } finally {
      await dep.api.sql.unsafe(`revoke insert, delete on host_mappings from "${role}"; revoke usage on sequence host_mappings_id_seq from "${role}"`);
      await cell1.handle.sql.unsafe(`revoke update on compute_nodes from "${role}"`);
    }
  });
});

describe('requireWritePrivileges', () => {
  it('checks every table and privilege in one query; a superuser lacks nothing; an absent optional table is skipped', async () => {
    const reading = await readWritePrivileges(roApi, [
      { table: 'host_mappings', privileges: ['SELECT', 'INSERT', 'INSERT'] },
      { table: 'no_such_table', privileges: ['DELETE'], optional: true },
    ]);
    expect(reading).toEqual({
      role,
      missing: [
        { table: 'host_mappings', privilege: 'INSERT' },
        { table: 'host_mappings_id_seq', privilege: 'USAGE' },
      ],
      absent: ['no_such_table'],
    });
    await requireWritePrivileges(dep.api, 'api database', [{ table: 'host_mappings', privileges: ['INSERT', 'UPDATE', 'DELETE'] }]);
    const e = await refusal(requireWritePrivileges(dep.api, 'api database', [{ table: 'no_such_table', privileges: ['DELETE'] }]));
    expect(e.message).toBe('The api database has no no_such_table table, which this write needs. Nothing was changed.');
  });

  it('quotes a role name that needs it in the GRANT it suggests', () => {
    expect(privilegeSentence('Cellar RO', { cell: 'cell1' }, [{ table: 'compute_nodes', privilege: 'UPDATE' }])).toBe(
      'Cellar\'s database role "Cellar RO" may not UPDATE compute_nodes in the database of cell cell1: this write needs GRANT UPDATE ON compute_nodes TO "Cellar RO".',
    );
  });
});
