/**
 * A cell that stops answering (issue 11): the cells page paints the frame and the rows of
 * the cells that answer while the dead cell is still being asked; then the dead cell shows
 * its last-known figures marked stale with their time; and its Retry asks that cell alone.
 *
 * The cell is added pointing at a real cell database (the demo's cell2), so it answers and
 * its figures are kept; then its mapping is pointed at a server on 127.0.0.1 that accepts
 * connections and never answers. Everything added is removed afterwards.
 */
import crypto from 'node:crypto';
import type { Page, Request } from '@playwright/test';
import { expect, silentServer, test } from './fixtures';

const NAME = 'e2e-outage';

/** The calls of one /api/trpc request: each procedure with its input. */
function callsOf(r: Request): { path: string; input: unknown }[] {
  const url = new URL(r.url());
  const paths = url.pathname.replace(/^\/api\/trpc\//, '').split(',');
  const raw = url.searchParams.get('input');
  const inputs = raw ? (JSON.parse(raw) as Record<string, { json?: unknown }>) : {};
  return paths.map((path, i) => ({ path, input: url.searchParams.get('batch') === '1' ? inputs[String(i)]?.json : (inputs as { json?: unknown }).json }));
}

function recordTrpc(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/trpc/')) seen.push(r);
  });
  return seen;
}

test.describe('A cell that stops answering', () => {
  test("the others' rows show while it is asked; then its stale figures with their time; Retry asks only it", async ({ page, api }) => {
    const uuid = crypto.randomUUID();
    const [cell2] = await api<{ transport_url: string; database_connection: string }[]>`
      select transport_url, database_connection from cell_mappings where name = 'cell2'`;
    const [cell1] = await api<{ uuid: string }[]>`select uuid from cell_mappings where name = 'cell1'`;
    const silent = await silentServer();
    await api`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled)
      values (${uuid}, ${NAME}, ${cell2!.transport_url}, ${cell2!.database_connection}, false)`;
    const table = page.getByRole('table', { name: 'Cells' });
    const row = (uuidOf: string) => table.locator(`tr[data-cell-uuid="${uuidOf}"]`);
    const notice = page.locator(`[data-cell-notice="${uuid}"]`);
    try {
      // 1. It answers: its figures are kept (cells list and capacity).
      await page.goto('/?refresh=false');
      await expect(row(uuid)).toContainText('● up');
      const live = ((await row(uuid).locator('[data-column="live-instances"]').textContent()) ?? '').trim();
      expect(live).toMatch(/^\d+$/);
      await expect(page.getByRole('table', { name: 'Flavor slots' }).getByRole('columnheader', { name: NAME })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Flavor slots' })).not.toContainText('asking…');

      // 2. It stops answering: a server that accepts connections and never says a word.
      await api`update cell_mappings set database_connection = ${`postgresql://nova:outage-s3cret@127.0.0.1:${silent.port}/nova`} where uuid = ${uuid}`;
      const started = Date.now();
      // The document streams each cell's answer as it comes: do not wait for its end (the dead cell's deadline).
      await page.goto('/?refresh=false', { waitUntil: 'commit' });
      // The frame and the healthy cells' rows are there while the dead cell is still being asked (one snapshot of the page).
      await page.waitForFunction(
        ({ dead, healthy }) => {
          const n = document.querySelector(`[data-cell-notice="${dead}"]`);
          const h = document.querySelector(`tr[data-cell-uuid="${healthy}"]`);
          const d = document.querySelector(`tr[data-cell-uuid="${dead}"]`);
          return (
            n?.getAttribute('data-state') === 'asking' &&
            (n.textContent ?? '').includes(`Asking ${'e2e-outage'}`) &&
            h?.getAttribute('data-state') === 'up' &&
            (h.textContent ?? '').includes('● up') &&
            d?.getAttribute('data-state') === 'asking'
          );
        },
        { dead: uuid, healthy: cell1!.uuid },
        { timeout: 10_000 },
      );
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('asking 1…');

      // 3. The deadline passes: down, with its last-known figures marked stale with their time.
      await expect(row(uuid)).toContainText('● down · timeout');
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect(row(uuid).locator('[data-column="live-instances"]')).toContainText(new RegExp(`^${live} \\(stale, as of \\d\\d:\\d\\d:\\d\\d UTC\\)$`));
      await expect(row(uuid).locator('[data-column="schema"]')).toContainText(/stale, as of \d\d:\d\d:\d\d UTC/);
      await expect(row(cell1!.uuid)).toContainText('● up');
      await expect(notice).toHaveAttribute('data-state', 'down');
      await expect(notice).toContainText('did not answer in time');
      await expect(notice).toContainText(/Down since \d\d:\d\d:\d\d UTC \(timeout\); last answered \d\d:\d\d:\d\d UTC/);
      const slots = page.getByRole('table', { name: 'Flavor slots' });
      await expect(slots.getByRole('row').first()).toBeVisible();
      await expect(slots).toContainText(/stale, as of \d\d:\d\d:\d\d UTC/);
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 4 cells answered');
      expect(await page.content()).not.toContain('outage-s3cret');

      // 4. Retry asks that cell alone, in one request, and changes only its part of the page.
      const requests = recordTrpc(page);
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/trpc/'));
      await notice.getByRole('button', { name: `Retry ${NAME}` }).click();
      await answered;
      await expect(notice).toHaveAttribute('data-state', 'down');
      await expect(notice.getByRole('button', { name: `Retry ${NAME}` })).toHaveText('Retry', { timeout: 10_000 });
      await page.waitForTimeout(500); // nothing else follows
      const calls = requests.flatMap(callsOf);
      expect(requests).toHaveLength(1);
      expect(calls.map((c) => c.path).sort()).toEqual(['boot.capacity', 'cells.list']);
      for (const c of calls) expect(c.input).toEqual({ cellUuids: [uuid] });
      await expect(row(cell1!.uuid)).toContainText('● up');
      await expect(row(uuid).locator('[data-column="live-instances"]')).toContainText(`${live} (stale, as of`);
    } finally {
      await api`delete from cell_mappings where uuid = ${uuid}`;
      await api`delete from cellar.cell_figures where cell_uuid = ${uuid}`;
      await api`delete from cellar.cell_health where cell_uuid = ${uuid}`;
      await silent.close();
    }
  });
});
