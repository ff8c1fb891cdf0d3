import { describe, expect, it } from 'vitest';
import { statusFromState, statusSearchHelp, vmStateForStatus } from './status';

describe('statusFromState (nova _STATE_MAP)', () => {
  it.each([
    ['building', 'scheduling', 'BUILD'],
    ['building', null, 'BUILD'],
    ['error', null, 'ERROR'],
    ['error', 'rebuilding', 'REBUILD'],
    ['stopped', null, 'SHUTOFF'],
    ['stopped', 'resize_prep', 'RESIZE'],
    ['active', null, 'ACTIVE'],
    ['active', 'rebooting', 'REBOOT'],
    ['active', 'reboot_started_hard', 'HARD_REBOOT'],
    ['active', 'updating_password', 'PASSWORD'],
    ['active', 'migrating', 'MIGRATING'],
    ['active', 'resize_finish', 'RESIZE'],
    ['active', 'powering-off', 'ACTIVE'],
    ['resized', null, 'VERIFY_RESIZE'],
    ['resized', 'resize_reverting', 'REVERT_RESIZE'],
    ['paused', 'migrating', 'MIGRATING'],
    ['suspended', null, 'SUSPENDED'],
    ['rescued', null, 'RESCUE'],
    ['soft-delete', null, 'SOFT_DELETED'],
    ['deleted', null, 'DELETED'],
    ['shelved', null, 'SHELVED'],
    ['shelved_offloaded', 'unshelving', 'SHELVED_OFFLOADED'],
  ])('%s + %s → %s', (vm, task, status) => {
    expect(statusFromState(vm, task)).toBe(status);
  });

  it('gives UNKNOWN for a vm_state nova does not know, or none', () => {
    expect(statusFromState('exploded', null)).toBe('UNKNOWN');
    expect(statusFromState(null, null)).toBe('UNKNOWN');
  });
});

describe("vmStateForStatus (a search's status:)", () => {
  it.each([
    ['ERROR', 'error'],
    ['error', 'error'],
    ['SHUTOFF', 'stopped'],
    ['stopped', 'stopped'],
    ['BUILD', 'building'],
    [' Active ', 'active'],
    ['VERIFY_RESIZE', 'resized'],
    ['soft_deleted', 'soft-delete'],
    ['soft-delete', 'soft-delete'],
    ['shelved_offloaded', 'shelved_offloaded'],
  ])('%s → %s', (text, vmState) => {
    expect(vmStateForStatus(text)).toBe(vmState);
  });

  it('names none for what is not a status nor a listed vm_state', () => {
    for (const t of ['DELETED', 'deleted', 'REBOOT', 'nope', '']) expect(vmStateForStatus(t)).toBeNull();
    expect(statusSearchHelp()).toContain('SHUTOFF (stopped)');
    expect(statusSearchHelp().split(', ')).not.toContain('DELETED');
  });
});
