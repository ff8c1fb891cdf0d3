import { runtimeDeps } from '@/server/deps';
import { checkHealth, type HealthReport } from '@/server/cells/health';
import { log } from '@/server/log';

export const dynamic = 'force-dynamic';

/**
 * The endpoint's published contract, kept as load balancers and monitors read it: the time
 * each took is `latencyMs` on the wire (it is `elapsedMs` everywhere inside Cellar).
 */
function wire(report: HealthReport) {
  return {
    ...report,
    api: { status: report.api.status, latencyMs: report.api.elapsedMs, ...(report.api.reason ? { reason: report.api.reason } : {}) },
    cells: report.cells.map(({ elapsedMs, ...c }) => ({ ...c, latencyMs: elapsedMs })),
  };
}

/** Liveness and per-cell reachability for load balancers. Never contains a URL or password. */
export async function GET() {
  try {
    const report = await checkHealth(runtimeDeps());
    return Response.json(wire(report), { status: report.api.status === 'up' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    log.error({ err: e }, 'health check failed');
    return Response.json(
      { status: 'degraded', api: { status: 'down', latencyMs: 0, reason: 'error' }, cells: [] },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    );
  }
}
