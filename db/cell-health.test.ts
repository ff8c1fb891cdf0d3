/**
 * The memory of cell health (db/cell-health.ts) through fanOut, against the real test
 * PostgreSQL: a cell that failed a moment ago is answered at once as down, saying since
 * when and when it last answered; a success brings it back; the window grows with each
 * failure; a mapping pointed elsewhere is not held down for its old database; and two
 * console processes of their own share what each found.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import readline from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKOFF_START_MS, CellHealthMemory, clockTime } from './cell-health';
import { openApiDatabase } from './connect';
import { type CellOutcome, type DownOutcome, fanOut } from './fanout';
import { type CellRef, CellRegistry, candidateCell } from './registry';
import { createTestDeployment, type TestDeployment } from './testing/deployment';
import { behindProxy, type SwitchableProxy, silentServer } from './testing/network';
import { utcDate } from './timestamps';

const DEADLINE_MS = 1000;

let dep: TestDeployment;
let proxy: SwitchableProxy;
let silent: Awaited<ReturnType<typeof silentServer>>;
let flaky: CellRef;
let hung: CellRef;
const registries: CellRegistry[] = [];

beforeAll(async () => {
  dep = await createTestDeployment({ cells: ['cell1'] });
  const { url } = await dep.createCellDatabase();
  const behind = await behindProxy(url);
  proxy = behind.proxy;
  silent = await silentServer();
  await dep.addCell({ name: 'flaky', url: behind.url });
  await dep.addCell({ name: 'hung', url: `postgresql://nova:Hung-S3cret@127.0.0.1:${silent.port}/nova_hung` });
  flaky = await cellNamed('flaky');
  hung = await cellNamed('hung');
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.closeAll()));
  await silent?.close();
  await proxy?.close();
  await dep?.close();
});

afterEach(async () => {
  await proxy.set('pass');
  await dep.api.sql`delete from cellar.cell_health`;
});

const cellNamed = (name: string): Promise<CellRef> => dep.cellNamed(name);

/** A console's view: a registry carrying a memory over an api handle of its own. */
function consoleView(opts: ConstructorParameters<typeof CellHealthMemory>[1] = {}) {
  const api = openApiDatabase(dep.apiUrl, { max: 2 });
  const errors: unknown[] = [];
  const memory = new CellHealthMemory(api, { onError: (e) => errors.push(e), ...opts });
  const registry = new CellRegistry({ baseUrl: dep.apiUrl, health: memory });
  registries.push(registry);
  const ask = async (cells: CellRef[], askAnyway = false) => {
    const started = performance.now();
    const outcomes = await fanOut(registry, cells, async ({ handle }) => handle.sql`select 1`, { deadlineMs: DEADLINE_MS, askAnyway });
    const tookMs = performance.now() - started;
    await memory.flush();
    return { tookMs, outcomes, of: (cell: CellRef) => outcomes.find((o) => o.cell.uuid === cell.uuid)! };
  };
  return { memory, registry, errors, ask, close: () => Promise.all([registry.closeAll(), api.close()]) };
}

async function row(cell: CellRef) {
  const [r] = await dep.api.sql<{ consecutive_failures: number; backoff_ms: number | null; down_since: string | null; reason: string | null }[]>`
    select consecutive_failures, down_since, reason,
           (extract(epoch from next_probe_at - last_failure_at) * 1000)::int as backoff_ms
    from cellar.cell_health where cell_uuid = ${cell.uuid}`;
  return r;
}

const down = (o: CellOutcome<unknown>) => o as DownOutcome;

/** The flaky cell's server stops: new connections are refused (once the clients have seen theirs cut). */
async function refuse() {
  await proxy.set('refuse');
  await new Promise((r) => setTimeout(r, 100));
}

describe('the cell health memory', () => {
  it('answers a cell that failed a moment ago at once as down, saying since when and when it last answered', async () => {
    const view = consoleView();
    const cell1 = await cellNamed('cell1');

    const first = await view.ask([cell1, flaky, hung]);
    expect(first.of(cell1)).toMatchObject({ status: 'up' });
    expect(first.of(flaky)).toMatchObject({ status: 'up' });
    expect(first.of(hung)).toMatchObject({ status: 'down', reason: 'timeout', fromMemory: false, lastAnsweredAt: null });
    expect(down(first.of(hung)).since).toBeInstanceOf(Date);
    expect(first.of(hung).elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.9);
    expect(await row(hung)).toMatchObject({ consecutive_failures: 1, reason: 'timeout', backoff_ms: BACKOFF_START_MS });

    // Within the window: not asked again, no deadline spent on it.
    const second = await view.ask([cell1, flaky, hung]);
    expect(second.tookMs).toBeLessThan(DEADLINE_MS * 0.9);
    const held = down(second.of(hung));
    expect(held).toMatchObject({ status: 'down', reason: 'timeout', elapsedMs: 0, fromMemory: true, lastAnsweredAt: null });
    expect(held.message).toMatch(/^down since \d\d:\d\d:\d\d UTC \(timeout\); no answer recorded$/);
    expect(held.message).toBe(`down since ${clockTime(held.since!)} (timeout); no answer recorded`);
    expect(second.of(cell1)).toMatchObject({ status: 'up' });

    // A cell that answered, then refuses: down since its first failure, last answered before.
    await refuse();
    const third = await view.ask([flaky]);
    expect(third.of(flaky)).toMatchObject({ status: 'down', reason: 'refused', fromMemory: false });
    const lastAnswered = down(third.of(flaky)).lastAnsweredAt!;
    expect(lastAnswered).toBeInstanceOf(Date);
    const fourth = await view.ask([flaky]);
    const flakyHeld = down(fourth.of(flaky));
    expect(flakyHeld).toMatchObject({ status: 'down', reason: 'refused', elapsedMs: 0, fromMemory: true });
    expect(flakyHeld.lastAnsweredAt!.getTime()).toBe(lastAnswered.getTime());
    expect(flakyHeld.since!.getTime()).toBeGreaterThanOrEqual(lastAnswered.getTime());
    expect(flakyHeld.message).toBe(`down since ${clockTime(flakyHeld.since!)} (refused); last answered ${clockTime(lastAnswered)}`);
    for (const o of [...first.outcomes, ...second.outcomes, ...third.outcomes, ...fourth.outcomes]) expect(JSON.stringify(o)).not.toContain('S3cret');
    expect(view.errors).toEqual([]);
  });

  it('keeps nothing about a candidate database (a URL checked before its cell is created)', async () => {
    const view = consoleView();
    const candidate = candidateCell(hung.databaseConnection!);
    const answered = candidateCell((await cellNamed('cell1')).databaseConnection!);
    const asked = await view.ask([candidate, answered, flaky]);
    expect(asked.of(candidate)).toMatchObject({ status: 'down', reason: 'timeout' });
    expect(asked.of(answered)).toMatchObject({ status: 'up' });
    // Asked again: still asked (not held down from memory), and no row was written for either.
    const again = await view.ask([candidate]);
    expect(again.of(candidate)).toMatchObject({ status: 'down', reason: 'timeout' });
    expect(again.of(candidate).elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.9);
    const rows = await dep.api.sql<{ cell_uuid: string }[]>`select cell_uuid from cellar.cell_health`;
    expect(rows.map((r) => r.cell_uuid)).toEqual([flaky.uuid]);
    expect(view.errors).toEqual([]);
    await Promise.all([view.registry.forget(candidate.uuid), view.registry.forget(answered.uuid)]);
  });

  it('brings a cell back with the first success recorded, in every view', async () => {
    const a = consoleView();
    const b = consoleView();
    await refuse();
    expect((await a.ask([flaky])).of(flaky)).toMatchObject({ status: 'down', reason: 'refused', fromMemory: false });
    expect((await b.ask([flaky])).of(flaky)).toMatchObject({ status: 'down', fromMemory: true });

    await proxy.set('pass');
    // Still within the window: held down until something asks it.
    expect((await a.ask([flaky])).of(flaky)).toMatchObject({ status: 'down', fromMemory: true });
    // As the probe does: asked anyway, it answers, and that is recorded.
    expect((await a.ask([flaky], true)).of(flaky)).toMatchObject({ status: 'up' });
    expect((await a.ask([flaky])).of(flaky)).toMatchObject({ status: 'up' });
    expect(await row(flaky)).toMatchObject({ consecutive_failures: 0, down_since: null });
    // The other view reads it again once its cache is older than cacheMs.
    await new Promise((r) => setTimeout(r, b.memory.cacheMs + 50));
    expect((await b.ask([flaky])).of(flaky)).toMatchObject({ status: 'up' });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('asks a failing cell again once its window has passed, and doubles the window with each failure', async () => {
    const view = consoleView({ backoffStartMs: 300 });
    await refuse();
    expect((await view.ask([flaky])).of(flaky)).toMatchObject({ status: 'down', fromMemory: false });
    expect(await row(flaky)).toMatchObject({ consecutive_failures: 1, backoff_ms: 300 });
    expect((await view.ask([flaky])).of(flaky)).toMatchObject({ fromMemory: true });
    await new Promise((r) => setTimeout(r, 350));
    const again = down((await view.ask([flaky])).of(flaky));
    expect(again).toMatchObject({ status: 'down', reason: 'refused', fromMemory: false });
    const stored = await row(flaky);
    expect(stored).toMatchObject({ consecutive_failures: 2, backoff_ms: 600 });
    // Since the first failure of the run, not the last.
    expect(again.since!.getTime()).toBe(utcDate(stored!.down_since)!.getTime());
  });

  it('does not hold a cell down for a database its mapping no longer points at', async () => {
    const view = consoleView();
    await refuse();
    expect((await view.ask([flaky])).of(flaky)).toMatchObject({ status: 'down', fromMemory: false });
    const moved = { ...flaky, databaseConnection: dep.cells[0]!.url };
    const outcome = (await view.ask([moved])).of(moved);
    expect(outcome).toMatchObject({ status: 'up' });
    expect(await row(flaky)).toMatchObject({ consecutive_failures: 0 });
  });
});

/** A console process of its own (db/cell-health.fixture.ts): send it a command, read its JSON answer. */
function consoleProcess() {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'db/cell-health.fixture.ts'], {
    env: { ...process.env, CELLAR_FIXTURE_API_URL: dep.apiUrl, CELLAR_FIXTURE_DEADLINE_MS: String(DEADLINE_MS) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const line = early.shift();
      if (line !== undefined) return resolve(line);
      const timer = setTimeout(() => reject(new Error(`no answer from the console process: ${stderr}`)), 20_000);
      waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  const ready = nextLine().then((l) => expect(l).toBe('ready'));
  return {
    ready,
    async send(command: 'ask' | 'ask-anyway') {
      child.stdin.write(`${command}\n`);
      const answer = JSON.parse(await nextLine()) as { tookMs: number; outcomes: (CellOutcome<unknown> & { since?: string; lastAnsweredAt?: string })[] };
      return { ...answer, of: (cell: { uuid: string }) => answer.outcomes.find((o) => o.cell.uuid === cell.uuid)! };
    },
    stderr: () => stderr,
    kill: () => child.kill('SIGKILL'),
  };
}

describe('two console processes', () => {
  it('share the memory: what one found, the other answers at once, and a success brings the cell back in both', async () => {
    const a = consoleProcess();
    const b = consoleProcess();
    try {
      await Promise.all([a.ready, b.ready]);
      const first = await a.send('ask');
      expect(first.of(flaky)).toMatchObject({ status: 'up' });
      expect(first.of(hung)).toMatchObject({ status: 'down', reason: 'timeout', fromMemory: false });
      expect(first.tookMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.9);

      // The other process does not ask the hung cell: it answers from what the first recorded.
      const second = await b.send('ask');
      expect(second.tookMs).toBeLessThan(DEADLINE_MS * 0.9);
      expect(second.of(hung)).toMatchObject({ status: 'down', reason: 'timeout', elapsedMs: 0, fromMemory: true });
      expect(second.of(flaky)).toMatchObject({ status: 'up' });
      expect(second.of(dep.cells[0]!)).toMatchObject({ status: 'up' });

      // The flaky cell stops: the first process finds it, the second answers it at once.
      await refuse();
      expect((await a.send('ask')).of(flaky)).toMatchObject({ status: 'down', reason: 'refused', fromMemory: false });
      // Each process reads the memory again once what it read is older than a second.
      await new Promise((r) => setTimeout(r, 1100));
      const fourth = await b.send('ask');
      expect(fourth.tookMs).toBeLessThan(DEADLINE_MS * 0.9);
      const held = fourth.of(flaky);
      expect(held).toMatchObject({ status: 'down', reason: 'refused', elapsedMs: 0, fromMemory: true });
      expect(held.status === 'down' && held.message).toMatch(/^down since \d\d:\d\d:\d\d UTC \(refused\); last answered \d\d:\d\d:\d\d UTC$/);

      // The cell is back; the second process finds it (as its probe would), and the first
      // process answers it as up on its next page, without a restart.
      await proxy.set('pass');
      expect((await b.send('ask-anyway')).of(flaky)).toMatchObject({ status: 'up' });
      await new Promise((r) => setTimeout(r, 1100));
      const third = await a.send('ask');
      expect(third.of(flaky)).toMatchObject({ status: 'up' });
      expect(third.of(hung)).toMatchObject({ status: 'down', reason: 'timeout' });
      expect(a.stderr() + b.stderr()).not.toMatch(/memory:/);
    } finally {
      a.kill();
      b.kill();
    }
  }, 60_000);
});
