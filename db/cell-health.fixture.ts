/**
 * A console process of its own, for the test of the health memory shared by several
 * processes (cell-health.test.ts): its own api handle, registry and memory, as a console
 * has. Run with `node --import tsx` and:
 *   CELLAR_FIXTURE_API_URL      the test deployment's api database
 *   CELLAR_FIXTURE_DEADLINE_MS  the fan-out deadline
 * It prints "ready", then reads one command a line on stdin and answers each with one
 * JSON line { tookMs, outcomes }:
 *   ask         a fan-out over every mapped cell, as a page does
 *   ask-anyway  the same, asking even the cells the memory holds down, as the probe does
 * Each answer is printed once what it found is recorded.
 */
import readline from 'node:readline';
import { asc } from 'drizzle-orm';
import { cellMappings } from './api/schema';
import { CellHealthMemory } from './cell-health';
import { openApiDatabase } from './connect';
import { fanOut } from './fanout';
import { CellRegistry } from './registry';

const apiUrl = process.env.CELLAR_FIXTURE_API_URL;
if (!apiUrl) throw new Error('CELLAR_FIXTURE_API_URL is not set');
const deadlineMs = Number(process.env.CELLAR_FIXTURE_DEADLINE_MS ?? 1000);
const api = openApiDatabase(apiUrl, { max: 2, applicationName: 'cellar:health-fixture' });
const memory = new CellHealthMemory(api, { onError: (e) => process.stderr.write(`memory: ${(e as Error).message}\n`) });
const registry = new CellRegistry({ baseUrl: apiUrl, health: memory });

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  const command = line.trim();
  queue = queue.then(async () => {
    if (command === 'exit') {
      await registry.closeAll();
      await api.close();
      process.exit(0);
    }
    const cells = await api.db.select().from(cellMappings).orderBy(asc(cellMappings.id));
    const started = performance.now();
    const outcomes = await fanOut(registry, cells, async ({ handle }) => handle.sql`select 1`, { deadlineMs, askAnyway: command === 'ask-anyway' });
    const tookMs = performance.now() - started;
    await memory.flush();
    process.stdout.write(`${JSON.stringify({ tookMs, outcomes })}\n`);
  });
});
// Warm, as a console that has served a page is: its api pool connected, the memory read once.
await api.sql`select 1`;
await memory.read([]);
process.stdout.write('ready\n');
