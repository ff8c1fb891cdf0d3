/** The console's rename and enable/disable, over update_cell's rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import type { Deps } from '../deps';
import { type CellarError, isCellarError } from '../errors';
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
  (await dep.api.sql<{ name: string | null; transport_url: string; database_connection: string; disabled: boolean }[]>`
    select name, transport_url, database_connection, disabled from cell_mappings where uuid = ${uuid}`)[0];

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
  it('refuses cell0 with nova\'s rule, both ways', async () => {
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
