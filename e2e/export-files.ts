/**
 * What the specs of the lists read back: a table's export as the user downloads it (the
 * CSV parsed as RFC 4180, the JSON as written), the order of a table's rows in the page,
 * and the tRPC calls a page makes.
 */
import fs from 'node:fs';
import type { Locator, Page, Request } from '@playwright/test';

/** RFC 4180: fields separated by commas, quoted when they hold a comma, a quote or a line break. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface JsonExport {
  table: string;
  complete: boolean;
  url: string | null;
  notAnswered: { uuid: string; name: string | null; reason: string | null; message: string | null }[];
  pending: { uuid: string; name: string | null }[];
  columns: { id: string; header: string }[];
  rows: Record<string, unknown>[];
}

/** Click the table's Export CSV and Export JSON and read both files. */
export async function exportBoth(page: Page, label: string): Promise<{ csv: string[][]; csvText: string; json: JsonExport; csvName: string }> {
  const read = async (button: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `${button} of ${label}`, exact: true }).click()]);
    return { name: download.suggestedFilename(), text: fs.readFileSync((await download.path())!, 'utf8') };
  };
  const csv = await read('Export CSV');
  const json = await read('Export JSON');
  return { csv: parseCsv(csv.text), csvText: csv.text, json: JSON.parse(json.text) as JsonExport, csvName: csv.name };
}

/** The text of each row's cells in one column (by its header), in the order the page shows them. */
export async function columnTexts(table: Locator, header: string): Promise<string[]> {
  const headers = (await table.locator('thead th').allTextContents()).map((h) => h.replace(/[▲▼↕]|, sort.*$/g, '').trim());
  const i = headers.findIndex((h) => h.toLowerCase() === header.toLowerCase());
  if (i < 0) throw new Error(`no column ${header} in ${headers.join(', ')}`);
  return table.locator('tbody tr').evaluateAll((trs, n) => trs.map((tr) => (tr.children[n]?.textContent ?? '').trim()), i);
}

/** The sort button of a column header. */
export function sortButton(table: Locator, header: string): Locator {
  const name = header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The header's text, then its arrow: "Host" is not "Host mapping".
  return table
    .locator('thead th')
    .filter({ hasText: new RegExp(`^${name}\\s*[▲▼↕]`) })
    .getByRole('button');
}

/** The calls of one /api/trpc request: each procedure with its input. */
export function callsOf(r: Request): { path: string; input: unknown }[] {
  const url = new URL(r.url());
  const paths = url.pathname.replace(/^\/api\/trpc\//, '').split(',');
  const raw = url.searchParams.get('input');
  const inputs = raw ? (JSON.parse(raw) as Record<string, { json?: unknown }>) : {};
  return paths.map((path, i) => ({ path, input: url.searchParams.get('batch') === '1' ? inputs[String(i)]?.json : (inputs as { json?: unknown }).json }));
}

/** Every tRPC call the page makes from now on. */
export function recordCalls(page: Page): { path: string; input: unknown }[] {
  const seen: { path: string; input: unknown }[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/trpc/')) seen.push(...callsOf(r));
  });
  return seen;
}

/** The collation the table sorts text by in the browser (data-table.tsx compare). */
export const browserOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
