import crypto from 'node:crypto';
import { columnTexts, exportBoth, sortButton } from './export-files';
import { closedPort, expect, silentServer, test } from './fixtures';

test.describe('Cells home', () => {
  test('shows the demo cells with masked URLs and their figures', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Cells' })).toBeVisible();
    const table = page.getByRole('table', { name: 'Cells' });
    for (const name of ['cell0', 'cell1', 'cell2']) {
      await expect(table.getByRole('rowheader', { name: new RegExp(`^${name}`) })).toBeVisible();
    }
    const cell1 = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^cell1/ }) });
    // The transport URL is multi-host: each password masked, each host kept.
    await expect(cell1).toContainText('rabbit://nova:****@rabbit1.cell1.example.net:5672,nova:****@rabbit2.cell1.example.net:5672/nova_cell1');
    await expect(cell1).not.toContainText('r4bb1t');
    await expect(cell1).toContainText('● up');
    // The database URL is a template: placeholders shown, nothing secret to hide.
    await expect(cell1).toContainText('{scheme}://{username}:{password}@{hostname}:{port}/cell1');
    await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 3 cells answered');
    const html = await page.content();
    expect(html).not.toContain('r4bb1t-cell');
  });

  test('at 1024 px the state and the counts are in view, each URL is one line, and the whole URL is a click away', async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto('/');
    const table = page.getByRole('table', { name: 'Cells' });
    const cell1 = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^cell1/ }) });
    await expect(cell1).toContainText('● up');
    // Nothing to scroll for them: neither the page nor the table's frame.
    const frame = (await page.getByRole('group', { name: 'Cells' }).boundingBox())!;
    for (const name of ['Name', 'Reachable', 'Disabled', 'Host mappings', 'Live instances']) {
      // A sortable header's name goes on with ", sortable" (said to screen readers only).
      const header = (await table.getByRole('columnheader', { name: new RegExp(`^${name}\\s*(,|$)`) }).boundingBox())!;
      expect(header.x + header.width, `${name} is in view`).toBeLessThanOrEqual(Math.min(frame.x + frame.width, 1024));
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);

    const transport = cell1.locator('[data-column="transport-url"]');
    const shown = transport.locator('span[title]');
    // Its start and its end, which tell the URLs apart.
    await expect(shown).toHaveText(/^rabbit:\/\/nova:\*\*\*\*.*….*\/nova_cell1$/);
    await expect(shown).toHaveAttribute('title', 'rabbit://nova:****@rabbit1.cell1.example.net:5672,nova:****@rabbit2.cell1.example.net:5672/nova_cell1');
    expect((await shown.boundingBox())!.height, 'one line').toBeLessThan(24);
    const whole = transport.getByRole('button', { name: 'Show whole transport URL of cell1' });
    await whole.click();
    await expect(transport.getByRole('button', { name: 'Shorten transport URL of cell1' })).toHaveAttribute('aria-expanded', 'true');
    await expect(transport).toContainText('rabbit://nova:****@rabbit1.cell1.example.net:5672,nova:****@rabbit2.cell1.example.net:5672/nova_cell1', {
      useInnerText: true,
    });
    await expect(transport.getByRole('button', { name: 'Copy transport URL of cell1' })).toBeVisible();
  });

  test('shows a cell that refuses connections and one that never answers as down, and still lists the others', async ({ page, api }) => {
    const silent = await silentServer();
    const refused = await closedPort();
    const refusedUuid = crypto.randomUUID();
    const hungUuid = crypto.randomUUID();
    await api`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled) values
      (${refusedUuid}, 'cell-refused', 'rabbit://nova:pw@127.0.0.1:5672/', ${`postgresql://nova:sekrit-refused@127.0.0.1:${refused}/nova_cell9`}, false),
      (${hungUuid}, 'cell-hung', 'rabbit://nova:pw@127.0.0.1:5672/', ${`postgresql://nova:sekrit-hung@127.0.0.1:${silent.port}/nova_cell8`}, false)`;
    try {
      await page.goto('/');
      const table = page.getByRole('table', { name: 'Cells' });
      const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
      await expect(row('cell-refused')).toContainText('● down · refused');
      await expect(row('cell-hung')).toContainText('● down · timeout');
      await expect(row('cell1')).toContainText('● up');
      await expect(row('cell2')).toContainText('● up');
      await expect(page.getByRole('alert').filter({ hasText: 'cell-hung' })).toContainText('did not answer in time');
      await expect(page.getByRole('alert').filter({ hasText: 'cell-refused' })).toContainText('refused the connection');
      await expect(page.getByRole('status').filter({ hasText: 'cells answered' })).toContainText('3 of 5 cells answered');
      const html = await page.content();
      expect(html).not.toContain('sekrit');

      const health = await page.request.get('/api/health');
      const body = await health.json();
      expect(body.status).toBe('degraded');
      expect(body.cells.find((c: { uuid: string }) => c.uuid === hungUuid)).toMatchObject({ status: 'down', reason: 'timeout' });
      expect(JSON.stringify(body)).not.toContain('sekrit');
    } finally {
      await api`delete from cell_mappings where uuid in (${refusedUuid}, ${hungUuid})`;
      await silent.close();
    }
  });

  test('the search finds cells by state, disabled and name or uuid, in the URL; free text never matches a masked password', async ({ page, api }) => {
    const refused = await closedPort();
    const downUuid = crypto.randomUUID();
    await api`insert into cell_mappings (uuid, name, transport_url, database_connection, disabled) values
      (${downUuid}, 'cell-search-down', 'rabbit://nova:pw@127.0.0.1:5672/', ${`postgresql://nova:sekrit-search@127.0.0.1:${refused}/nova_cell7`}, true)`;
    try {
      await page.goto('/?refresh=false');
      await expect(page.locator('[data-cells-asking="0"]')).toBeVisible();
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      const table = page.getByRole('table', { name: 'Cells' });
      const box = page.getByRole('searchbox', { name: 'Search cells' });
      const names = () => table.locator('tbody th a').allTextContents();

      await box.fill('state:down');
      await box.press('Enter');
      await expect(page).toHaveURL(/[?&]state=down/);
      await expect.poll(names).toEqual(['cell-search-down']);
      await expect(page.getByRole('status').filter({ hasText: 'match' })).toContainText(/^1 of \d+ cells match/);

      const disabled = await api<{ name: string }[]>`select name from cell_mappings where disabled order by name`;
      await box.fill('disabled:yes');
      await box.press('Enter');
      await expect.poll(async () => (await names()).sort()).toEqual(disabled.map((c) => c.name).sort());

      const [cell1] = await api<{ uuid: string }[]>`select uuid from cell_mappings where name = 'cell1'`;
      await box.fill(`cell:${cell1!.uuid.toUpperCase()}`);
      await box.press('Enter');
      await expect.poll(names).toEqual(['cell1']);
      await box.fill('state:up cell:cell1');
      await box.press('Enter');
      await expect.poll(names).toEqual(['cell1']);

      // The URLs are searched as shown: a password is masked there, so it is not found.
      await box.fill('sekrit');
      await box.press('Enter');
      await expect(table).toContainText('No cell matches this search.');
      await box.fill('nova_cell7');
      await box.press('Enter');
      await expect.poll(names).toEqual(['cell-search-down']);

      const url = page.url();
      await box.fill('state:sideways');
      await box.press('Enter');
      await expect(page.getByRole('search', { name: 'Search cells' }).getByRole('alert')).toContainText('state: is one of up, down, asking');
      expect(page.url()).toBe(url);

      await page.getByRole('button', { name: 'Show every cell' }).click();
      await expect.poll(async () => (await names()).length).toBeGreaterThan(3);
    } finally {
      await api`delete from cell_mappings where uuid = ${downUuid}`;
    }
  });

  test('health is ok with every demo cell up', async ({ request }) => {
    const res = await request.get('/api/health');
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body.status).toBe('ok');
    expect(body.cells.map((c: { name: string }) => c.name).sort()).toEqual(['cell0', 'cell1', 'cell2']);
    for (const c of body.cells) expect(c).toMatchObject({ status: 'up', reason: null });
  });
});

test.describe('Cells table', () => {
  test('sorts by a header as the api database counts, and exports exactly the rows in view', async ({ page, api }) => {
    await page.goto('/?refresh=false');
    await expect(page.locator('[data-cells-asking="0"]')).toBeVisible();
    const table = page.getByRole('table', { name: 'Cells' });
    await sortButton(table, 'Host mappings').click();
    await expect(page).toHaveURL(/[?&]sort=host-mappings/);
    await expect(page).toHaveURL(/[?&]dir=desc/);
    const counts = await api<{ name: string; n: number }[]>`
      select c.name, count(h.id)::int as n from cell_mappings c left join host_mappings h on h.cell_id = c.id group by c.id, c.name`;
    const expected = counts.map((c) => c.n).sort((a, b) => b - a);
    await expect.poll(() => columnTexts(table, 'Host mappings')).toEqual(expected.map(String));
    const names = await table.locator('tbody th a').allTextContents();
    expect([...names].sort()).toEqual(counts.map((c) => c.name).sort());
    // Each name beside its own count, as the api database has it.
    const byName = new Map(counts.map((c) => [c.name, c.n]));
    expect(names.map((n) => byName.get(n))).toEqual(expected);

    const { csv, json } = await exportBoth(page, 'Cells');
    const header = csv[0]!;
    expect(header.slice(0, 3)).toEqual(['Name', 'Reachable', 'Disabled']);
    expect(csv.slice(1).map((r) => r[0])).toEqual(names);
    expect(csv.slice(1).map((r) => Number(r[header.indexOf('Host mappings')]))).toEqual(expected);
    expect(json.complete).toBe(true);
    expect(json.rows.map((r) => r.name)).toEqual(names);
    expect(json.rows.map((r) => r['host-mappings'])).toEqual(expected);
    // Masked in the file as on the page.
    expect(JSON.stringify(json)).not.toContain('r4bb1t');
  });
});
