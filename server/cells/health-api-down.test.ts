/**
 * /api/health (app/api/health/route.ts) with the api database stopped or stalled, through
 * the process-wide handle as the console runs it (the configuration, apiDb() and its
 * bounds): a plain 503 that says the api database does not answer, in bounded time, and a
 * 200 again once the database is back, with nothing restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_DOWN_MESSAGE } from '@/db/api-unavailable';
import { resetConfig } from '@/db/config';
import { DOWN_RETRY_MS, IN_USE_CLOSE_MS } from '@/db/connect';
import { closeRuntime } from '@/db/runtime';
import { createTestDeployment, type TestDeployment } from '@/db/testing/deployment';
import { behindProxy, type SwitchableProxy } from '@/db/testing/network';
import { GET } from '@/app/api/health/route';

const ENV = {
  CELLAR_API_STATEMENT_TIMEOUT_MS: '500',
  CELLAR_API_CONNECT_TIMEOUT_S: '1',
  CELLAR_CELL_DEADLINE_MS: '3000',
};
/** The api pool's silence bound with these settings (statement timeout + one second). */
const STALL_MS = 1500;
const SLACK_MS = 750;

let dep: TestDeployment;
let proxy: SwitchableProxy;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  const behind = await behindProxy(dep.apiUrl);
  proxy = behind.proxy;
  for (const [k, v] of Object.entries({ ...ENV, CELLAR_API_DATABASE_URL: behind.url })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfig();
});
afterAll(async () => {
  await closeRuntime();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfig();
  await proxy?.close();
  await dep?.close();
});

interface HealthBody {
  status: string;
  api: { status: string; latencyMs: number; reason?: string; message?: string };
  cells: { name: string | null; status: string }[];
}

async function health() {
  const started = performance.now();
  const res = await GET();
  return { status: res.status, body: (await res.json()) as HealthBody, ms: performance.now() - started };
}

describe('/api/health when the api database does not answer', () => {
  it('answers 200 with the api database up', async () => {
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.body.api).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    expect(h.body.cells.map((c) => c.name).sort()).toEqual(['cell0', 'cell1']);
  });

  it('stalled: answers 503 within the bound, saying the api database does not answer, and keeps its contract', async () => {
    await proxy.set('stall');
    for (let i = 0; i < 3; i++) {
      const h = await health();
      expect(h.status).toBe(503);
      expect(h.body).toEqual({
        status: 'degraded',
        api: { status: 'down', latencyMs: expect.any(Number), reason: expect.stringMatching(/^(timeout|error)$/), message: API_DOWN_MESSAGE },
        cells: [],
      });
      expect(h.ms).toBeLessThan(STALL_MS + SLACK_MS);
    }
  }, 20_000);

  it('answers 200 again once the database is back, through the same handle', async () => {
    await proxy.set('pass');
    const started = performance.now();
    let h = await health();
    while (h.status !== 200 && performance.now() - started < IN_USE_CLOSE_MS + DOWN_RETRY_MS + SLACK_MS) {
      await new Promise((r) => setTimeout(r, 50));
      h = await health();
    }
    expect(h.status).toBe(200);
    expect(h.body.api.status).toBe('up');
    expect(h.body.api.message).toBeUndefined();
  }, 20_000);

  it('refused: answers 503 at once', async () => {
    await proxy.set('refuse');
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body.api).toMatchObject({ status: 'down', message: API_DOWN_MESSAGE });
    expect(h.ms).toBeLessThan(SLACK_MS);
    await proxy.set('pass');
  }, 20_000);
});
