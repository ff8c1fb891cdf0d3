import { runtimeDeps } from '@/server/deps';
import { checkHealth } from '@/server/cells/health';
import { log } from '@/server/log';

export const dynamic = 'force-dynamic';

/** Liveness and per-cell reachability for load balancers. Never contains a URL or password. */
export async function GET() {
  try {
    const report = await checkHealth(runtimeDeps());
    return Response.json(report, { status: report.api.status === 'up' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    log.error({ err: e }, 'health check failed');
    return Response.json(
      { status: 'degraded', api: { status: 'down', latencyMs: 0, reason: 'error' }, cells: [] },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    );
  }
}
