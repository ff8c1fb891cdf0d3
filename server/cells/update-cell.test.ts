/** The console's rename and enable/disable, over update_cell's rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import type { CellarError } from '../errors';
import { CELL0_UUID } from '../nova/constants';
import { RESTART_NOTICES } from './caveats';
import { renameCell, setCellDisabled, updateCell } from './update-cell';
import { refusal } from '@/server/testing';

let dep: TestDeployment;
let deps: Deps;
beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1', 'cell2'] });
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 1500, serviceDownTimeS: 60, now: () => new Date() };
});
afterAll(() => dep?.close());

const row = async (uuid: string) =>
  (
    await dep.api.sql<{ name: string | null; transport_url: string; database_connection: string; disabled: boolean }[]>`
    select name, transport_url, database_connection, disabled from cell_mappings where uuid = ${uuid}`
  )[0];

describe('renameCell', () => {
  it('changes only the name, needs no restart, and shows masked URLs', async () => {
    const cell2 = dep.cells[1]!;
    const before = await row(cell2.uuid);
    const r = await renameCell(deps, { uuid: cell2.uuid, name: 'cell2-renamed' });
    expect(r.changed).toEqual({ name: true, transportUrl: false, databaseConnection: false, disabled: false });
    expect(r.notices).toEqual([]);
    expect(r.cell.name).toBe('cell2-renamed');
    expect(r.cell.transportUrl).toBe('rabbit://guest:****@127.0.0.1:5672/');
    expect(await row(cell2.uuid)).toEqual({ ...before, name: 'cell2-renamed' });
  });

  it('refuses an empty name and an unknown cell', async () => {
    expect((await refusal(renameCell(deps, { uuid: dep.cells[0]!.uuid, name: '   ' }))).message).toBe('A cell name cannot be empty.');
    const e = await refusal(renameCell(deps, { uuid: 'no-such-cell', name: 'x' }));
    expect(e.kind).toBe('not_found');
    expect(e.message).toBe('Cell with uuid no-such-cell was not found.');
  });
});

describe('setCellDisabled', () => {
  it("refuses cell0 with nova's rule, both ways", async () => {
    for (const disabled of [true, false]) {
      const e = await refusal(setCellDisabled(deps, { uuid: CELL0_UUID, disabled }));
      expect(e.message).toBe('Cell0 cannot be disabled.');
      expect(e.exitCode).toBe(5);
    }
    expect((await row(CELL0_UUID))!.disabled).toBe(false);
  });

  it('disables with the scheduler notice; again says it already is, with no notice; enables', async () => {
    const uuid = dep.cells[0]!.uuid;
    const off = await setCellDisabled(deps, { uuid, disabled: true });
    expect(off.cell.disabled).toBe(true);
    expect(off.notices).toEqual([RESTART_NOTICES.cellEnabledOrDisabled]);
    const again = await setCellDisabled(deps, { uuid, disabled: true });
    expect(again.messages).toEqual([`Cell ${uuid} is already disabled`]);
    expect(again.notices).toEqual([]);
    const on = await setCellDisabled(deps, { uuid, disabled: false });
    expect(on.cell.disabled).toBe(false);
    expect(on.notices).toEqual([RESTART_NOTICES.cellEnabledOrDisabled]);
    expect((await setCellDisabled(deps, { uuid, disabled: false })).messages).toEqual([`Cell ${uuid} is already enabled`]);
  });
});

describe("updateCell: nova's writes and its duplicate rule after template expansion", () => {
  it("re-pointing a cell with a template at another cell's database is rc 3, and nothing changes", async () => {
    const [a, b] = dep.cells;
    const before = await row(b!.uuid);
    const database = new URL(a!.url.replace(/^postgresql:/, 'http:')).pathname.slice(1);
    const e = await refusal(updateCell(deps, { cellUuid: b!.uuid, databaseConnection: `{scheme}://{username}:{password}@{hostname}:{port}/${database}` }));
    expect([e.exitCode, e.message]).toEqual([
      3,
      `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${a!.uuid}.`,
    ]);
    expect(await row(b!.uuid)).toEqual(before);
  });

  it('sets updated_at when something changes, and writes nothing when nothing does', async () => {
    const uuid = dep.cells[1]!.uuid;
    const stamp = async () =>
      (await dep.api.sql<{ updated_at: string | null }[]>`select updated_at::text from cell_mappings where uuid = ${uuid}`)[0]!.updated_at;
    await dep.api.sql`update cell_mappings set updated_at = '2001-01-01 00:00:00', disabled = false where uuid = ${uuid}`;
    const current = (await row(uuid))!.name!;
    await renameCell(deps, { uuid, name: current });
    expect((await setCellDisabled(deps, { uuid, disabled: false })).messages).toEqual([`Cell ${uuid} is already enabled`]);
    expect(await stamp()).toBe('2001-01-01 00:00:00');
    await renameCell(deps, { uuid, name: `${current}-x` });
    const [fresh] = await dep.api.sql`
      select updated_at between (now() at time zone 'utc') - interval '1 minute' and (now() at time zone 'utc') as fresh from cell_mappings where uuid = ${uuid}`;
    expect(fresh).toEqual({ fresh: true });
    await renameCell(deps, { uuid, name: current });
  });
});

describe('updateCell under concurrency', () => {
  it('two cells re-pointed at the same new database at once: one wins, the other gets rc 3', async () => {
    const target = (await dep.createCellDatabase()).url;
    const [a, b] = dep.cells;
    const results = await Promise.allSettled([
      updateCell(deps, { cellUuid: a!.uuid, databaseConnection: target }),
      updateCell(deps, { cellUuid: b!.uuid, databaseConnection: target }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as CellarError).exitCode).toBe(3);
    const rows = await dep.api.sql`select uuid from cell_mappings where database_connection = ${target}`;
    expect(rows).toHaveLength(1);
    // put the winner back on its own database
    const winner = rows[0]!.uuid === a!.uuid ? a! : b!;
    await updateCell(deps, { cellUuid: winner.uuid, databaseConnection: winner.url });
  });
});
