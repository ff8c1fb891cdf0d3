import { describe, expect, it } from 'vitest';
import { serviceState } from './service-state';

const now = new Date('2026-11-21T12:00:00Z');

describe('serviceState (nova DB servicegroup driver)', () => {
  it('is down when forced_down, whatever the heartbeat', () => {
    expect(serviceState({ forcedDown: true, lastSeenUp: now, createdAt: now }, now, 60)).toBe('down');
  });
  it('is up within service_down_time of last_seen_up and down past it', () => {
    expect(serviceState({ forcedDown: false, lastSeenUp: new Date(now.getTime() - 60_000), createdAt: null }, now, 60)).toBe('up');
    expect(serviceState({ forcedDown: false, lastSeenUp: new Date(now.getTime() - 61_000), createdAt: null }, now, 60)).toBe('down');
  });
  it('falls back to created_at when the service never reported', () => {
    expect(serviceState({ forcedDown: null, lastSeenUp: null, createdAt: new Date(now.getTime() - 5_000) }, now, 60)).toBe('up');
    expect(serviceState({ forcedDown: null, lastSeenUp: null, createdAt: new Date(now.getTime() - 3_600_000) }, now, 60)).toBe('down');
  });
  it('reads naive UTC strings from raw SQL as UTC, not local time', () => {
    expect(serviceState({ forcedDown: false, lastSeenUp: '2026-11-21 11:59:30', createdAt: null }, now, 60)).toBe('up');
    expect(serviceState({ forcedDown: false, lastSeenUp: '2026-11-21 10:59:30', createdAt: null }, now, 60)).toBe('down');
  });
  it('takes the absolute difference, as nova does, so a clock a little ahead is still up', () => {
    expect(serviceState({ forcedDown: false, lastSeenUp: new Date(now.getTime() + 30_000), createdAt: null }, now, 60)).toBe('up');
  });
});
