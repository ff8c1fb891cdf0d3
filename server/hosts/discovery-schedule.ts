import 'server-only';
/**
 * The periodic discovery's shared state (cellar.discovery_schedule, one row): whether an
 * operator paused it, which replica leads and until when, the leader's interval and when
 * its last run started. Every replica reads and writes the same row, so a pause stops it
 * on all of them, and the leader's lease says who may run.
 */
import { config } from '@/db/config';
import { utcDate } from '@/db/timestamps';
import type { Deps } from '../deps';
import type { DiscoverySchedule } from './contract';
import { latestPeriodicRuns } from './discovery-runs';

interface ScheduleRow {
  paused: boolean;
  paused_by: string | null;
  paused_at: string | null;
  leader: string | null;
  lease_until: string | null;
  interval_s: number | null;
  last_run_at: string | null;
  lease_alive: boolean;
}

const COLUMNS = `paused, paused_by, paused_at::text as paused_at, leader, lease_until::text as lease_until, interval_s,
  last_run_at::text as last_run_at, coalesce(lease_until > (now() at time zone 'utc'), false) as lease_alive`;

/** This process's interval (CELLAR_DISCOVER_HOSTS_INTERVAL_S), or null when periodic discovery is off here. */
export function configuredDiscoveryInterval(): number | null {
  const s = config().CELLAR_DISCOVER_HOSTS_INTERVAL_S;
  return s === undefined || s === -1 ? null : s;
}

function toSchedule(r: ScheduleRow | undefined, runs: DiscoverySchedule['recentRuns']): DiscoverySchedule {
  const interval = configuredDiscoveryInterval();
  return {
    intervalS: interval,
    paused: r?.paused ?? false,
    pausedBy: r?.paused_by ?? null,
    pausedAt: utcDate(r?.paused_at ?? null),
    leader: r?.lease_alive ? r.leader : null,
    leaseUntil: r?.lease_alive ? utcDate(r.lease_until) : null,
    leaderIntervalS: r?.lease_alive ? r.interval_s : null,
    lastRunAt: utcDate(r?.last_run_at ?? null),
    recentRuns: runs,
  };
}

/** The schedule as every replica sees it, with its last periodic runs. */
export async function readDiscoverySchedule(deps: Pick<Deps, 'api'> & Deps, opts: { runs?: number } = {}): Promise<DiscoverySchedule> {
  const [rows, runs] = await Promise.all([
    deps.api.sql.unsafe<ScheduleRow[]>(`select ${COLUMNS} from cellar.discovery_schedule where id = 1`),
    latestPeriodicRuns(deps, opts.runs ?? 10),
  ]);
  return toSchedule(rows[0], runs);
}

/**
 * Pause or resume periodic discovery on every replica. A run already under way finishes;
 * none starts while it is paused. Saying it twice changes nothing but is not an error.
 */
export async function setDiscoveryPaused(deps: Deps, input: { paused: boolean; actor: string }): Promise<DiscoverySchedule> {
  await deps.api.sql.unsafe(
    `insert into cellar.discovery_schedule (id, paused, paused_by, paused_at)
     values (1, $1, $2, case when $1 then (now() at time zone 'utc') end)
     on conflict (id) do update set
       paused = excluded.paused,
       paused_by = case when excluded.paused = cellar.discovery_schedule.paused then cellar.discovery_schedule.paused_by else excluded.paused_by end,
       paused_at = case when excluded.paused = cellar.discovery_schedule.paused then cellar.discovery_schedule.paused_at else excluded.paused_at end`,
    [input.paused, input.actor],
  );
  return readDiscoverySchedule(deps);
}
