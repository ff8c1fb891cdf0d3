import { describe, expect, it } from 'vitest';
import { statusFromState } from './status';

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
