import 'server-only';
/**
 * Periodic discovery, nova's `[scheduler] discover_hosts_in_cells_interval`: every replica
 * with CELLAR_DISCOVER_HOSTS_INTERVAL_S set runs this loop, and exactly one of them leads.
 *
 * - Leadership is a lease on cellar.discovery_schedule's one row, taken when it is free or
 *   past, renewed by its holder every tick (and all through a run), so when the leader dies
 *   another replica takes over once the lease runs out. All times are the database's, so
 *   replicas' clocks do not matter.
 * - A run is claimed by a conditional UPDATE of last_run_at (still the leader, not paused,
 *   the interval past since the last start): however many replicas tick at once, one run per
 *   interval starts, start to start, as nova's periodic task spaces them.
 * - Each run is recorded in the discovery log with actor 'periodic' and the replica's name.
 *
 * nova runs it as `discover_hosts` per compute node (not --by-service); so does this.
 */
import type { Deps } from '../deps';
import { discoverHosts } from './discover-hosts';
import { PERIODIC_ACTOR } from './discovery-runs';

export interface PeriodicDiscoveryOptions {
  intervalS: number;
  /** This replica's name (server/replica.ts). */
  replica: string;
  /** How long a lease lasts without renewal; default 3 intervals, between 3 s and 30 s. */
  leaseMs?: number;
  onError?: (e: unknown) => void;
  /** Told of each run this replica made (tests, logs). */
  onRun?: (run: { runId: number; newlyMapped: number }) => void;
}

export interface PeriodicDiscovery {
  /** Stops ticking, lets a run under way finish, and gives the lease up so another replica leads at once. */
  stop(): Promise<void>;
}

export function leaseFor(intervalS: number): number {
  return Math.min(30_000, Math.max(3_000, 3 * intervalS * 1000));
}

export function startPeriodicDiscovery(deps: Deps, opts: PeriodicDiscoveryOptions): PeriodicDiscovery {
  const leaseMs = opts.leaseMs ?? leaseFor(opts.intervalS);
  // Ticks well inside the lease (it survives two missed ticks) and the interval.
  const tickMs = Math.max(50, Math.min(1000, Math.floor(leaseMs / 6), Math.floor((opts.intervalS * 1000) / 4)));
  const sql = deps.api.sql;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The tick under way (a run included), which stop() waits for. */
  let ticking: Promise<void> = Promise.resolve();

  /** Take or renew the lease; true while this replica leads. */
  const holdLease = async (): Promise<boolean> => {
    const rows = await sql.unsafe<{ leader: string }[]>(
      `insert into cellar.discovery_schedule as s (id, leader, lease_until, interval_s)
       values (1, $1, (now() at time zone 'utc') + $2 * interval '1 millisecond', $3)
       on conflict (id) do update set leader = excluded.leader, lease_until = excluded.lease_until, interval_s = excluded.interval_s
         where s.leader = excluded.leader or s.leader is null or s.lease_until is null or s.lease_until < (now() at time zone 'utc')
       returning leader`,
      [opts.replica, leaseMs, opts.intervalS],
    );
    return rows.length > 0;
  };

  /** Claim this interval's run: at most one replica gets a row back. */
  const claimRun = async (): Promise<boolean> => {
    const rows = await sql.unsafe(
      `update cellar.discovery_schedule
       set last_run_at = (now() at time zone 'utc')
       where id = 1 and leader = $1 and lease_until > (now() at time zone 'utc') and not paused
         and (last_run_at is null or last_run_at <= (now() at time zone 'utc') - $2 * interval '1 second')
       returning id`,
      [opts.replica, opts.intervalS],
    );
    return rows.length > 0;
  };

  const run = async () => {
    // The lease is renewed all through the run: a long discovery never lets another replica start one beside it.
    const renew = setInterval(() => void holdLease().catch(opts.onError), tickMs);
    try {
      const r = await discoverHosts(deps, { actor: PERIODIC_ACTOR, replica: opts.replica });
      opts.onRun?.({ runId: r.runId, newlyMapped: r.newlyMapped.length });
    } catch (e) {
      // A failed run is in the discovery log (failDiscoveryRun); the schedule goes on.
      opts.onError?.(e);
    } finally {
      clearInterval(renew);
    }
  };

  const tick = async () => {
    if (stopped) return;
    try {
      if ((await holdLease()) && !stopped && (await claimRun())) await run();
    } catch (e) {
      opts.onError?.(e);
    }
    if (!stopped) schedule(tickMs);
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      ticking = tick();
    }, ms);
  };
  schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      await sql.unsafe(`update cellar.discovery_schedule set leader = null, lease_until = null where id = 1 and leader = $1`, [opts.replica]).catch(() => {});
    },
  };
}
