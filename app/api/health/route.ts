import { API_DOWN_MESSAGE, isApiDatabaseDown } from '@/db/api-unavailable';
import { runtimeDeps } from '@/server/deps';
import { checkHealth, type HealthReport } from '@/server/cells/health';
import { log } from '@/server/log';

export const dynamic = 'force-dynamic';

/**
 * The endpoint's published contract, kept as load balancers and monitors read it: the time
 * each took is `latencyMs` on the wire (it is `elapsedMs` everywhere inside Cellar). An api
 * database that is down also says so in `message`, the line the console shows.
 */
function wire(report: HealthReport) {
  const down = report.api.status === 'down';
  return {
    ...report,
    api: {
      status: report.api.status,
      latencyMs: report.api.elapsedMs,
      ...(report.api.reason ? { reason: report.api.reason } : {}),
      ...(down ? { message: API_DOWN_MESSAGE } : {}),
    },
    cells: report.cells.map(({ elapsedMs, ...c }) => ({ ...c, latencyMs: elapsedMs })),
  };
}

/**
 * Liveness and per-cell reachability for load balancers. Never contains a URL or password.
 * Answers in bounded time when the api database is stopped or stalled: checkHealth's
 * deadline, and the api pool's own bounds (db/runtime.ts, apiPoolOptions).
 */
export async function GET() {
  const started = performance.now();
  try {
    const report = await checkHealth(runtimeDeps());
    return Response.json(wire(report), { status: report.api.status === 'up' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    log.error({ err: e }, 'health check failed');
    const latencyMs = Math.round(performance.now() - started);
    return Response.json(
      {
        status: 'degraded',
        api: { status: 'down', latencyMs, reason: 'error', ...(isApiDatabaseDown(e) ? { message: API_DOWN_MESSAGE } : {}) },
        cells: [],
      },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    );
  }
}
