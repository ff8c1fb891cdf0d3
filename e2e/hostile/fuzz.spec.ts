/**
 * The standing fuzz (issue #10, item 9): every procedure of the app router, read from the
 * router itself (a procedure added later is fuzzed without a case written for it), called
 * over HTTP on the hostile console with inputs generated from its zod schema and hostile
 * variants of them (arbitraries.ts), as each demo role, an operator token and a stranger.
 *
 * Every answer: no 5xx, and no stack, SQL, file path or runtime error text. Every write
 * answered 2xx: its audit row, found by the request id the call suggested. Afterwards the
 * audit log still lists every row, and /audit renders for the operator.
 *
 * Bounded: CELLAR_FUZZ_BUDGET_MS (default 120 s) shared by the procedures, at most
 * CELLAR_FUZZ_RUNS calls (default 40) per procedure and caller. The seed is printed;
 * CELLAR_FUZZ_SEED=<seed> replays a run (the same seed gives the same calls).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type TestInfo, test } from '@playwright/test';
import fc from 'fast-check';
import { appRouter } from '../../server/root';
import { signedInAs } from '../fixtures';
import { callsFor, inputJsonSchema } from './arbitraries';
import { FUZZ_SEED, HOSTILE_E2E_START_LOG } from './paths';
import {
  callProcedure,
  cut,
  describeRequest,
  type HttpResponse,
  hostileSql,
  internalText,
  type Principal,
  type PrincipalName,
  sessionPrincipal,
  STRANGER,
  send,
  stillValid,
  superjsonText,
  type TrpcRequest,
  tokenPrincipal,
  trpcRequest,
} from './wire';

const BUDGET_MS = Number(process.env.CELLAR_FUZZ_BUDGET_MS ?? 120_000);
const RUNS = Number(process.env.CELLAR_FUZZ_RUNS ?? 40);
/** At least this many calls per procedure and caller, however slow the procedure. */
const MIN_RUNS = 3;

interface Procedure {
  path: string;
  type: 'query' | 'mutation';
  inputs: unknown[];
}
const procedures: Procedure[] = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string; inputs: unknown[] } }>)
  .map(([p, proc]) => ({ path: p, type: proc._def.type as Procedure['type'], inputs: proc._def.inputs }))
  .sort((a, b) => a.path.localeCompare(b.path));

/** Every failing call of the run, one JSON line each. */
const FAILURES_FILE = path.resolve('test-results', 'hostile-fuzz-failures.jsonl');

const CALLERS: PrincipalName[] = ['viewer', 'support', 'operator', 'token', 'stranger'];
const perCallerMs = BUDGET_MS / procedures.length / CALLERS.length;

/** FNV-1a of the run's seed, the procedure and the caller: each pair its own stream, the same for the same seed. */
function seedFor(procedure: string, caller: string): number {
  let h = 0x811c9dc5;
  for (const c of `${FUZZ_SEED}:${procedure}:${caller}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}

const principals = new Map<PrincipalName, Principal>();
let tokens = 0;

async function principal(name: PrincipalName): Promise<Principal> {
  const known = principals.get(name);
  if (known && (await stillValid(known))) return known;
  let p: Principal;
  if (name === 'stranger') p = STRANGER;
  else if (name === 'token') p = await tokenPrincipal(await principal('operator'), `fuzz-token-${FUZZ_SEED}-${process.pid}-${++tokens}`);
  else p = await sessionPrincipal(name);
  // A fuzzed call took the old one away (revoked the token, ended the session): noted, and the fuzz goes on with a new one.
  if (known) console.log(`fuzz: the ${name} caller was no longer valid (a fuzzed call changed it); made a new one`);
  principals.set(name, p);
  return p;
}

interface Failure {
  procedure: string;
  caller: PrincipalName;
  seed: number;
  call: number;
  input: string;
  problem: string;
  request: string;
  status: number | null;
  body: string;
}

/** Failures of one kind are reported once per procedure (the first call that showed it), with how many calls did. */
function kindOf(f: Failure): string {
  return `${f.caller === 'stranger' ? 'stranger' : 'caller'}|${f.status}|${f.problem.replace(/: .*/s, '')}`;
}

function report(path: string, failures: Failure[]): string {
  const byKind = new Map<string, { first: Failure; n: number }>();
  for (const f of failures) {
    const k = kindOf(f);
    const seen = byKind.get(k);
    if (seen) seen.n++;
    else byKind.set(k, { first: f, n: 1 });
  }
  const lines = [`${path}: ${failures.length} failing call${failures.length === 1 ? '' : 's'} (run seed ${FUZZ_SEED}; replay: CELLAR_FUZZ_SEED=${FUZZ_SEED})`];
  for (const { first: f, n } of byKind.values()) {
    lines.push(
      `- ${f.problem} [${n} call${n === 1 ? '' : 's'}; first: caller ${f.caller}, stream seed ${f.seed}, call ${f.call}, input ${f.input}]`,
      `    request: ${f.request}`,
      `    answer:  ${f.status ?? 'none'} ${f.body}`,
    );
  }
  return lines.join('\n');
}

/** Every failing call, in the test's output and in one file for the whole run. */
function recordFailures(testInfo: TestInfo, procedure: string, failures: Failure[]): string {
  const out = testInfo.outputPath(`fuzz-failures-${procedure.replace(/[^\w.-]/g, '_')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(failures, null, 2)}\n`);
  fs.mkdirSync(path.dirname(FAILURES_FILE), { recursive: true });
  fs.appendFileSync(FAILURES_FILE, failures.map((f) => `${JSON.stringify(f)}\n`).join(''));
  return out;
}

test.beforeAll(() => {
  console.log(
    `fuzz: seed ${FUZZ_SEED} (replay with CELLAR_FUZZ_SEED=${FUZZ_SEED}); ${procedures.length} procedures × ${CALLERS.length} callers, ` +
      `${Math.round(perCallerMs)} ms and at most ${RUNS} calls per procedure and caller (CELLAR_FUZZ_BUDGET_MS=${BUDGET_MS}, CELLAR_FUZZ_RUNS=${RUNS})`,
  );
  // A file left by an earlier run (older than this run's console) goes; a worker restarted after a failure keeps this run's.
  const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
  if (mtime(FAILURES_FILE) < mtime(HOSTILE_E2E_START_LOG)) fs.rmSync(FAILURES_FILE, { force: true });
});

test.describe('the fuzz: every procedure, every caller, hostile inputs over HTTP', () => {
  for (const proc of procedures) {
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's test signature
    test(`${proc.type} ${proc.path}: no 5xx, no internal text, every write audited`, async ({}, testInfo) => {
      test.setTimeout(Math.max(60_000, perCallerMs * CALLERS.length * 4 + 30_000));
      testInfo.annotations.push({ type: 'fuzz seed', description: `CELLAR_FUZZ_SEED=${FUZZ_SEED}` });
      const schema = proc.inputs.length ? inputJsonSchema(proc.inputs[0]) : null;
      const failures: Failure[] = [];
      const statuses = new Map<number, number>();
      /** The 2xx writes: request id → the call, for the audit check. */
      const writes = new Map<string, Omit<Failure, 'problem'>>();
      const t0 = Date.now();
      let calls = 0;

      for (const caller of CALLERS) {
        const who = await principal(caller);
        const seed = seedFor(proc.path, caller);
        const samples = fc.sample(callsFor(schema, proc.type), { seed, numRuns: RUNS });
        const started = Date.now();
        for (const [i, call] of samples.entries()) {
          if (i >= MIN_RUNS && Date.now() - started > perCallerMs) break;
          const text = call.input.kind === 'raw' ? call.input.text : call.input.value === undefined ? undefined : superjsonText(call.input.value);
          const requestId = `fz${seed.toString(36)}-${caller}-${i}`;
          // A body-sized input sent the other way would be a URL past any server's header limit: only small ones are.
          const wrongMethod = call.wrongMethod && (text?.length ?? 0) <= 2_000;
          const req: TrpcRequest = trpcRequest(proc.path, proc.type, text, { ...who.headers, 'x-request-id': requestId }, { ...call, wrongMethod });
          const base = {
            procedure: proc.path,
            caller,
            seed,
            call: i,
            input: `${call.input.label}: ${cut(text ?? '(none)', 300)}${call.contentType !== 'application/json' ? ` (content-type ${JSON.stringify(call.contentType)})` : ''}${wrongMethod ? ' (the other method)' : ''}`,
            request: describeRequest(req),
          };
          let res: HttpResponse;
          try {
            res = await send(req);
          } catch (e) {
            // Past 16 KiB of request line and headers node's HTTP server answers 431 and closes: a reset while the client still writes is that answer.
            if (req.method === 'GET' && req.path.length > 16_384) {
              statuses.set(431, (statuses.get(431) ?? 0) + 1);
              continue;
            }
            failures.push({ ...base, problem: `no answer: ${(e as Error).message}`, status: null, body: '' });
            continue;
          }
          calls++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const answer = { ...base, status: res.status, body: cut(res.body, 600) };
          if (res.status >= 500) failures.push({ ...answer, problem: `answered ${res.status}` });
          const sent = `${decodeURIComponentSafe(req.path)}\n${req.body ?? ''}`;
          const leak = internalText(res.body, sent, res.status < 300);
          if (leak) failures.push({ ...answer, problem: `internal text in the answer: ${leak}` });
          if (proc.type === 'mutation' && req.method === 'POST' && res.status >= 200 && res.status < 300) writes.set(requestId, answer);
        }
      }

      // Every write that answered 2xx has its audit row, done, under its request id and procedure.
      if (writes.size) {
        const sql = hostileSql('api');
        try {
          const rows = await sql<{ request_id: string; action: string; outcome: string }[]>`
            select request_id, action, outcome from cellar.audit_log where request_id = any(${[...writes.keys()]})`;
          for (const [id, w] of writes) {
            const mine = rows.filter((r) => r.request_id === id);
            if (!mine.some((r) => r.action === proc.path && r.outcome === 'done')) {
              const found = mine.length ? mine.map((r) => `${r.action} ${r.outcome}`).join(', ') : 'none';
              failures.push({ ...w, problem: `answered ${w.status} but has no 'done' audit row (request id ${id}; rows found: ${found})` });
            }
          }
        } finally {
          await sql.end({ timeout: 2 });
        }
      }

      const histogram = [...statuses.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      console.log(`fuzz: ${proc.path}: ${calls} calls in ${((Date.now() - t0) / 1000).toFixed(1)} s (${histogram}), ${writes.size} writes done`);
      if (failures.length) {
        const file = recordFailures(testInfo, proc.path, failures);
        throw new Error(`${report(proc.path, failures)}\n(every failing call: ${file})`);
      }
    });
  }
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

test.describe('afterwards', () => {
  test('the audit log still lists every row it holds, and /audit renders for the operator', async ({ browser }) => {
    test.setTimeout(120_000);
    const operator = await principal('operator');
    let before: number | null = null;
    let rows = 0;
    for (let page = 0; page < 500; page++) {
      const r: { status: number; data: { rows: unknown[]; nextBefore: number | null } | undefined; body: string } = await callProcedure(
        'auth.audit.list',
        'query',
        { limit: 200, before },
        operator.headers,
      );
      expect(r.status, `auth.audit.list page ${page} (before ${before}): ${cut(r.body, 600)}`).toBe(200);
      expect(internalText(r.body, '', true), `auth.audit.list page ${page}`).toBeNull();
      rows += r.data?.rows.length ?? 0;
      before = r.data?.nextBefore ?? null;
      if (before === null) break;
    }
    console.log(`fuzz: the audit log lists ${rows} rows`);
    expect(rows).toBeGreaterThan(0);

    const context = await signedInAs(browser, 'operator');
    const page = await context.newPage();
    const res = await page.goto('/audit');
    expect(res?.status()).toBeLessThan(500);
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
    await expect(page.getByText('This page could not be shown')).toHaveCount(0);
    await expect(page.getByRole('table').first()).toBeVisible();
    await context.close();
  });
});
