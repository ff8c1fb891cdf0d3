/** askOneCell: the cell's answer, the one "does not answer" refusal, and a refusal from the work carried through. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestCell, type TestDeployment } from '@/db/testing/deployment';
import { closedPort } from '@/db/testing/network';
import type { Deps } from '../deps';
import { refuse } from '../errors';
import { refusal } from '../testing';
import { askOneCell, askOneCellOutcome } from './ask-one-cell';
import { cellNotFound, downCell } from './cell-ref';

let dep: TestDeployment;
let deps: Deps;
let cell1: { id: number; uuid: string; name: string | null; databaseConnection: string };
beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  const c: TestCell = dep.cells[0]!;
  cell1 = { id: c.id, uuid: c.uuid, name: c.name, databaseConnection: c.url };
  deps = { api: dep.api, registry: dep.registry, deadlineMs: 5000, serviceDownTimeS: 60, now: () => new Date() };
});
afterAll(() => dep?.close());

describe('askOneCell', () => {
  it("returns the cell's answer", async () => {
    const n = await askOneCell(deps, cell1, async ({ handle }) => (await handle.sql<{ n: number }[]>`select 41 + 1 as n`)[0]!.n, {
      consequence: 'nothing was read',
    });
    expect(n).toBe(42);
  });

  it('refuses with one sentence when the cell does not answer: who, why, and what was not done; with the exit code asked for', async () => {
    const dead = { id: -1, uuid: crypto.randomUUID(), name: 'dead', databaseConnection: `postgresql://nova:s3cret@127.0.0.1:${await closedPort()}/nova` };
    try {
      const e = await refusal(
        askOneCell(deps, dead, ({ handle }) => handle.sql`select 1`, { consequence: 'nothing was deleted', exitCode: 255, details: { extra: true } }),
      );
      expect([e.kind, e.exitCode, e.message]).toEqual(['unavailable', 255, 'Cell dead does not answer (refused: connection refused); nothing was deleted.']);
      expect(e.details).toEqual({ cellUuid: dead.uuid, reason: 'refused', extra: true });
      expect(e.message).not.toContain('s3cret');
    } finally {
      await dep.registry.forget(dead.uuid);
    }
  });

  it('names a cell without a name by its uuid, and says a timeout is one', async () => {
    const e = await refusal(
      askOneCell({ ...deps, deadlineMs: 50 }, { ...cell1, name: null }, ({ handle }) => handle.sql`select pg_sleep(1)`, {
        consequence: 'no instances were mapped',
      }),
    );
    expect([e.exitCode, e.message]).toEqual([1, `Cell ${cell1.uuid} does not answer (timeout: no answer within 50 ms); no instances were mapped.`]);
  });

  it('throws a refusal of the work itself as it is, not as a cell that is down', async () => {
    const e = await refusal(
      askOneCell(
        deps,
        cell1,
        async () => {
          throw refuse.precondition('not allowed here', 4);
        },
        { consequence: 'nothing was done' },
      ),
    );
    expect([e.kind, e.exitCode, e.message]).toEqual(['precondition', 4, 'not allowed here']);
  });
});

describe('askOneCellOutcome', () => {
  it('gives the outcome instead of refusing: up with the value, or down with why', async () => {
    expect(await askOneCellOutcome(deps, cell1, async () => 'v')).toMatchObject({ status: 'up', value: 'v', cell: { uuid: cell1.uuid, name: 'cell1' } });
    const down = await askOneCellOutcome({ ...deps, deadlineMs: 50 }, cell1, ({ handle }) => handle.sql`select pg_sleep(1)`);
    expect(down).toMatchObject({ status: 'down', reason: 'timeout', cell: { uuid: cell1.uuid } });
    await expect(
      askOneCellOutcome(deps, cell1, async () => {
        throw refuse.conflict('no', 2);
      }),
    ).rejects.toMatchObject({ kind: 'conflict', exitCode: 2 });
  });
});

describe('cell-ref', () => {
  it("cellNotFound is nova's sentence with the verb's exit code", () => {
    expect([cellNotFound('u').message, cellNotFound('u').exitCode, cellNotFound('u', 255).exitCode, cellNotFound('u').kind]).toEqual([
      'Cell with uuid u was not found.',
      1,
      255,
      'not_found',
    ]);
  });

  it('downCell keeps who, why and how long', () => {
    expect(downCell({ cell: { uuid: 'u', name: null }, status: 'down', reason: 'auth', message: 'm', elapsedMs: 7 })).toEqual({
      uuid: 'u',
      name: null,
      reason: 'auth',
      message: 'm',
      elapsedMs: 7,
    });
  });
});
