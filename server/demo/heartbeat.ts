import 'server-only';
import { installation } from '@/db/api/schema';
import { fanOut } from '@/db/fanout';
import { isNovaMade } from '@/db/schema-owner';
import type { Deps } from '../deps';
import { readCellMappings } from '../cells/mappings';

/** nova's [DEFAULT]report_interval. */
export const REPORT_INTERVAL_MS = 10_000;

/**
 * The demo has no nova services to report in, so without this every demo service would
 * look down a minute after start. Services that were alive when the demo was generated
 * (or registered since) report every report_interval, as nova-compute does; the one the
 * demo made down (last seen long before the demo was generated) stays down, and so does
 * anything forced down or deleted. Only for the embedded demo installation; on a
 * deployment nova made it does nothing at all: reporting in is nova-compute's job there,
 * and Cellar does not stand in for it (server/boot/stand-in.ts).
 */
export async function reportDemoServices(deps: Deps): Promise<{ reported: number } | null> {
  if (await isNovaMade(deps.api.sql)) return null;
  const [inst] = await deps.api.db.select().from(installation);
  if (!inst?.demoSeededAt) return null;
  const aliveSince = new Date(inst.demoSeededAt.getTime() - 60_000).toISOString();
  const cells = await readCellMappings(deps.api);
  const outcomes = await fanOut(
    deps.registry,
    cells,
    async ({ handle }) =>
      (
        await handle.sql`
          update services
          set last_seen_up = (now() at time zone 'utc'), report_count = report_count + 1
          where deleted = 0 and not coalesce(forced_down, false)
            and coalesce(last_seen_up, created_at) >= ${aliveSince}::timestamp`
      ).count,
    { deadlineMs: deps.deadlineMs },
  );
  return { reported: outcomes.reduce((n, o) => n + (o.status === 'up' ? o.value : 0), 0) };
}

/** Keep the demo's services reporting until the returned function is called. */
export function startDemoHeartbeat(deps: Deps, onError: (e: unknown) => void = () => {}): () => void {
  const beat = () => void reportDemoServices(deps).catch(onError);
  beat();
  const timer = setInterval(beat, REPORT_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
