/**
 * `npm run bench -- partition` (issue 11): 10 cells, one of them blackholed on 127.0.0.1 (a
 * server that accepts connections and never answers), against the same pages with every
 * cell healthy, measured in the same run in a real browser on a real console:
 *
 * - first rows: from the start of the navigation to the first cell's rows on the page;
 * - complete: to no cell being asked any more (the dead cell shown down).
 *
 * For each page (cells, instances, checks) and each round, interleaved so every case sees
 * the same machine: the page with all cells healthy; the page on the first request after
 * the cell went dark (a fresh blackhole, so no console has seen it fail yet: it costs the
 * deadline); the page again once the cell is known down (the health memory answers for it).
 *
 * Targets: first rows ≤ 1.2× the healthy page; complete ≤ deadline + 10 % on the first
 * request; complete ≤ 1.2× the healthy page once the cell is known down.
 */
import crypto from 'node:crypto';
import { silentServer } from '../db/testing/network';
import { type BenchConsole, startBenchConsole } from './console';
import { type BenchDeployment, createBenchDeployment } from './deployment';
import { type BenchBrowser, ms, openBrowser, type PageTiming, percentile, timePage } from './page-timing';
import { benchServer } from './server';

const CELLS = 10;
const DEADLINE_MS = 3000;
const ROUNDS = 7;
const WARMUP = 2;
const RATIO = 1.2;
const PAGES = [
  { name: 'cells page', path: '/?refresh=false' },
  { name: 'instances list', path: '/instances' },
  { name: 'checks', path: '/checks' },
] as const;
type Case = 'healthy' | 'first' | 'known';

export async function run(): Promise<boolean> {
  const server = await benchServer();
  let dep: BenchDeployment | undefined;
  let cellar: BenchConsole | undefined;
  let browser: BenchBrowser | undefined;
  const blackholes: { close(): Promise<void> }[] = [];
  try {
    console.log(`partition benchmark: ${CELLS} cells (and cell0), one blackholed on 127.0.0.1; deadline ${DEADLINE_MS} ms; ${ROUNDS} rounds`);
    console.log(`  PostgreSQL at ${server.where}`);
    const started = performance.now();
    dep = await createBenchDeployment(server.url, {
      tag: `bench_part_${crypto.randomBytes(4).toString('hex')}`,
      cells: CELLS,
      hostsPerCell: 20,
      instancesPerCell: 200,
    });
    cellar = await startBenchConsole(dep.apiUrl, { deadlineMs: DEADLINE_MS });
    browser = await openBrowser(cellar.baseUrl, cellar.cookie);
    console.log(`  set up in ${((performance.now() - started) / 1000).toFixed(1)} s (console on ${cellar.baseUrl})`);

    const victim = dep.cells[dep.cells.length - 1]!;
    const api = dep.api;
    const pointAt = (url: string) => api`update cell_mappings set database_connection = ${url} where uuid = ${victim.uuid}`;
    const blackhole = async () => {
      const s = await silentServer();
      blackholes.push(s);
      return `postgresql://nova:bench@127.0.0.1:${s.port}/${victim.database}`;
    };

    const timings = new Map<string, PageTiming[]>();
    const keep = (page: string, c: Case, t: PageTiming) => {
      const key = `${page}:${c}`;
      timings.set(key, [...(timings.get(key) ?? []), t]);
    };
    const check = (t: PageTiming, c: Case, page: string) => {
      const expected = c === 'healthy' ? t.total : t.total - 1;
      if (t.answered !== expected) throw new Error(`${page} (${c}): ${t.answered} of ${t.total} cells answered, expected ${expected}`);
    };

    for (let round = -WARMUP; round < ROUNDS; round++) {
      for (const p of PAGES) {
        await pointAt(victim.url);
        // Untimed first: the console reconnects to the cell it had given up on, which a healthy page does not pay.
        await timePage(browser.page, p.path);
        const healthy = await timePage(browser.page, p.path);
        check(healthy, 'healthy', p.name);
        // Dark now, at an address no console has seen fail: the first request pays the deadline.
        await pointAt(await blackhole());
        const first = await timePage(browser.page, p.path);
        check(first, 'first', p.name);
        const known = await timePage(browser.page, p.path);
        check(known, 'known', p.name);
        if (round >= 0) {
          keep(p.name, 'healthy', healthy);
          keep(p.name, 'first', first);
          keep(p.name, 'known', known);
        }
      }
      while (blackholes.length > 2) await blackholes.shift()!.close();
    }
    await pointAt(victim.url);

    let passed = true;
    const verdict = (ok: boolean) => {
      passed &&= ok;
      return ok ? 'PASS' : 'MISS';
    };
    for (const p of PAGES) {
      const get = (c: Case) => timings.get(`${p.name}:${c}`)!;
      const p50 = (c: Case, k: 'firstMs' | 'completeMs') =>
        percentile(
          get(c).map((t) => t[k]),
          50,
        );
      const healthyFirst = p50('healthy', 'firstMs');
      const healthyComplete = p50('healthy', 'completeMs');
      console.log(`\n  ${p.name} (${p.path}), p50 of ${ROUNDS}:`);
      console.log(`    all healthy:           first rows ${ms(healthyFirst)}, complete ${ms(healthyComplete)}`);
      for (const c of ['first', 'known'] as const) {
        const first = p50(c, 'firstMs');
        const complete = p50(c, 'completeMs');
        const label = c === 'first' ? 'one dark, 1st request:' : 'one dark, known down: ';
        const firstRatio = first / healthyFirst;
        const completeTarget =
          c === 'first'
            ? `≤ ${ms(DEADLINE_MS * 1.1)} (deadline + 10 %): ${verdict(complete <= DEADLINE_MS * 1.1)}`
            : `${(complete / healthyComplete).toFixed(2)}× healthy, target ≤ ${RATIO}×: ${verdict(complete / healthyComplete <= RATIO)}`;
        console.log(
          `    ${label}  first rows ${ms(first)} (${firstRatio.toFixed(2)}× healthy, target ≤ ${RATIO}×: ${verdict(firstRatio <= RATIO)}), complete ${ms(complete)} ${completeTarget}`,
        );
      }
    }
    console.log(`\n  the dark cell: ${victim.name} (a fresh blackhole on 127.0.0.1 for each first request)`);
    return passed;
  } catch (e) {
    if (cellar) console.error(`the console's last output:\n${cellar.output().slice(-3000)}`);
    throw e;
  } finally {
    await browser?.close().catch(() => {});
    await cellar?.stop();
    await Promise.all(blackholes.map((b) => b.close().catch(() => {})));
    await dep?.drop();
    await server.stop();
  }
}
