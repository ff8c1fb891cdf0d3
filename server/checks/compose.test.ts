import { describe, expect, it } from 'vitest';
import { CELL0_UUID, SERVICE_VERSION } from '../nova/constants';
import { type ChecksContext, composeChecks } from './compose';
import type { CellView } from './drift';

const cell0 = { uuid: CELL0_UUID, name: 'cell0' };
const cell1 = { uuid: '11111111-1111-4111-8111-111111111111', name: 'cell1' };
const cell2 = { uuid: '22222222-2222-4222-8222-222222222222', name: 'cell2' };
const now = new Date('2026-03-01T09:12:00Z');
const schema = { state: 'current' as const, madeBy: 'cellar' as const, summary: 'current', applied: 3, expected: 3 };
const hosts = (names: string[]) => ({
  computeNodes: names.length,
  nodeHosts: names,
  computeServices: names.map((host) => ({
    host,
    version: SERVICE_VERSION,
    forcedDown: false,
    disabled: false,
    disabledReason: null,
    lastSeenUp: now,
    createdAt: now,
  })),
  newestControlVersion: SERVICE_VERSION,
});
const context: ChecksContext = {
  cellMappings: [cell0, cell1, cell2],
  hostMappings: [
    { id: 1, host: 'cmp-1', cellUuid: cell1.uuid, createdAt: null },
    { id: 2, host: 'cmp-2', cellUuid: cell2.uuid, createdAt: null },
  ],
  novaMade: false,
  serviceDownTimeS: 60,
};
const up = (cell: typeof cell1, names: string[]): CellView => ({ cell, status: 'up', schema, hosts: hosts(names), unreadable: null });

describe('composeChecks', () => {
  it('a cell still being asked is compared with nothing and not counted as down; once it answers the report is the whole one', () => {
    const asking = composeChecks(context, [up(cell0, []), up(cell1, ['cmp-1']), { cell: cell2, status: 'pending' }], now);
    expect(asking.drift.pendingCells).toEqual([{ ...cell2, hostMappingsNotCompared: 1 }]);
    expect(asking.drift.downCells).toEqual([]);
    // cmp-2 is mapped to the cell being asked: not judged stale before it answers.
    expect(asking.drift.staleHostMappings).toEqual([]);
    expect(asking.cells).toEqual({ answered: 2, total: 3 });
    expect(asking.checks.find((c) => c.id === 'cells_answering')?.result).toBe('success');

    const whole = composeChecks(context, [up(cell0, []), up(cell1, ['cmp-1']), up(cell2, [])], now);
    expect(whole.drift.pendingCells).toEqual([]);
    expect(whole.drift.staleHostMappings.map((m) => m.host)).toEqual(['cmp-2']);
    expect(whole.cells).toEqual({ answered: 3, total: 3 });
  });

  it('a down cell carries its last-known facts into the down cells', () => {
    const lastKnown = { value: { computeNodes: 4, computeServices: 4, schema: 'current' }, observedAt: new Date('2026-03-01T09:11:58Z') };
    const r = composeChecks(
      context,
      [
        up(cell0, []),
        up(cell1, ['cmp-1']),
        { cell: cell2, status: 'down', down: { ...cell2, reason: 'timeout', message: 'no answer', elapsedMs: 1500 }, lastKnown },
      ],
      now,
    );
    expect(r.drift.downCells).toEqual([expect.objectContaining({ uuid: cell2.uuid, hostMappingsNotCompared: 1, lastKnown })]);
    expect(r.checks.find((c) => c.id === 'cells_answering')?.result).toBe('warning');
  });
});
