/**
 * Page timings in a real browser (Debian's Chromium through Playwright), as an operator
 * sees them: from the start of the navigation to the first cell's rows on the page, and to
 * the page being complete (no cell still being asked). Both are read from the fan-out
 * status every fan-out page shows ("7 of 8 cells answered", app/_components/cell-notices.tsx,
 * its data-cells-* attributes), by the page's own clock (performance.now(): milliseconds
 * since the navigation started).
 */
import { type Browser, type BrowserContext, chromium, type Page } from '@playwright/test';

export interface PageTiming {
  /** The first cell's part of the page is there. */
  firstMs: number;
  /** No cell is being asked any more: every cell answered or is shown down. */
  completeMs: number;
  answered: number;
  total: number;
}

export interface BenchBrowser {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

export async function openBrowser(baseUrl: string, cookie: string): Promise<BenchBrowser> {
  const browser: Browser = await chromium.launch({ executablePath: process.env.CELLAR_CHROMIUM ?? '/usr/bin/chromium' });
  const context = await browser.newContext({ baseURL: baseUrl });
  await context.addCookies(
    cookie.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
    }),
  );
  const page = await context.newPage();
  return { page, context, close: () => browser.close() };
}

export async function timePage(page: Page, path: string, timeoutMs = 30_000): Promise<PageTiming> {
  await page.goto(path, { waitUntil: 'commit' });
  const firstMs = await (
    await page.waitForFunction(
      () => {
        const el = document.querySelector<HTMLElement>('[data-cells-answered]');
        return el && Number(el.dataset.cellsAnswered) >= 1 ? performance.now() : null;
      },
      null,
      { polling: 5, timeout: timeoutMs },
    )
  ).jsonValue();
  const done = await (
    await page.waitForFunction(
      () => {
        const el = document.querySelector<HTMLElement>('[data-cells-answered]');
        if (el?.dataset.cellsAsking !== '0') return null;
        return { at: performance.now(), answered: Number(el.dataset.cellsAnswered), total: Number(el.dataset.cellsTotal) };
      },
      null,
      { polling: 5, timeout: timeoutMs },
    )
  ).jsonValue();
  return { firstMs: firstMs as number, completeMs: done!.at, answered: done!.answered, total: done!.total };
}

export { percentile } from './stats';

export const ms = (x: number) => `${Math.round(x)} ms`;
