import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { testDeps } from '../hosts/testing';
import { createCaller } from '../root';
import { trpcError } from '../testing';
import { cellsRouter } from './router';

let dep: TestDeployment;
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  dep = await createTestDeployment({ cells: [] });
  const deps = testDeps(dep);
  caller = createCaller({ requestId: 'test', deps: () => deps });
});
afterAll(async () => {
  await dep?.close();
});

const RULE = 'a cell uuid looks like 8-4-4-4-12 hexadecimal digits';

describe('cells router', () => {
  it('declares reads for viewers and changes for operators', () => {
    const roles = Object.fromEntries(
      Object.entries(cellsRouter._def.procedures).map(([name, p]) => [name, (p as { _def: { meta?: { minRole: string } } })._def.meta?.minRole]),
    );
    expect(roles).toEqual({ list: 'viewer', detail: 'viewer', create: 'operator', rename: 'operator', setDisabled: 'operator', delete: 'operator' });
  });

  it('takes a cell uuid by one rule in every area: a name, or anything longer than a uuid, is refused before any work', async () => {
    for (const bad of ['cell1', `${'0'.repeat(36)}x`]) {
      const refused = await Promise.all([
        trpcError(caller.cells.detail({ uuid: bad })),
        trpcError(caller.cells.rename({ uuid: bad, name: 'x' })),
        trpcError(caller.cells.setDisabled({ uuid: bad, disabled: true })),
        trpcError(caller.cells.delete({ uuid: bad })),
        trpcError(caller.auth.revealUrls({ uuid: bad })),
        trpcError(caller.hosts.mappings({ cell: bad })),
        trpcError(caller.hosts.discover({ cellUuid: bad })),
        trpcError(caller.hosts.deleteMapping({ cellUuid: bad, host: 'h' })),
        trpcError(caller.jobs.startMapInstances({ cellUuid: bad })),
        trpcError(caller.jobs.listForCell({ cellUuid: bad })),
      ]);
      expect(refused.map((e) => [e.code, e.message])).toEqual([
        ['BAD_REQUEST', `uuid: ${RULE}`],
        ['BAD_REQUEST', `uuid: ${RULE}`],
        ['BAD_REQUEST', `uuid: ${RULE}`],
        ['BAD_REQUEST', `uuid: ${RULE}`],
        ['BAD_REQUEST', `uuid: ${RULE}`],
        ['BAD_REQUEST', `cell: ${RULE}`],
        ['BAD_REQUEST', `cellUuid: ${RULE}`],
        ['BAD_REQUEST', `cellUuid: ${RULE}`],
        ['BAD_REQUEST', `cellUuid: ${RULE}`],
        ['BAD_REQUEST', `cellUuid: ${RULE}`],
      ]);
    }
  });

  it("answers a well-formed uuid no cell has with nova's message", async () => {
    const unknown = '9d0c0b7e-0000-4000-8000-0000000000ac';
    const e = await trpcError(caller.cells.detail({ uuid: unknown }));
    expect([e.code, e.message]).toEqual(['NOT_FOUND', `Cell with uuid ${unknown} was not found.`]);
  });
});
