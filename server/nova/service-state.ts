import { utcDate } from '@/db/utc-date';

export type ServiceState = 'up' | 'down';

export interface ServiceLiveness {
  forcedDown: boolean | null;
  lastSeenUp: Date | string | null;
  createdAt: Date | string | null;
}

/**
 * nova's DB servicegroup driver (cells-v2.md §2.5, §9.14): forced_down means down;
 * otherwise up while |now − (last_seen_up or created_at)| ≤ service_down_time.
 * Times are naive UTC in the database; utcDate reads them as UTC.
 */
export function serviceState(s: ServiceLiveness, now: Date, serviceDownTimeS: number): ServiceState {
  if (s.forcedDown) return 'down';
  const heartbeat = utcDate(s.lastSeenUp) ?? utcDate(s.createdAt);
  if (!heartbeat) return 'down';
  return Math.abs(now.getTime() - heartbeat.getTime()) <= serviceDownTimeS * 1000 ? 'up' : 'down';
}

/** When the service was last heard from, for "down since" displays. */
export function lastHeartbeat(s: ServiceLiveness): Date | null {
  return utcDate(s.lastSeenUp) ?? utcDate(s.createdAt);
}
