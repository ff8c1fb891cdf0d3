/**
 * The console by keyboard: `/` focuses the list's search, `?` lists the shortcuts (Escape
 * closes, focus goes back), `g` then a letter goes to a page, nothing fires while typing,
 * and the skip link is the first stop of Tab. Reads only.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** `g` then `key`, until the page has hydrated and the keys are heard (a press before it is lost). */
async function goTo(page: Page, key: string, path: RegExp) {
  await expect(async () => {
    await page.keyboard.press('g');
    await page.keyboard.press(key);
    await expect(page).toHaveURL(path, { timeout: 1500 });
  }).toPass({ timeout: 15_000 });
}

/** The page has hydrated: the shortcuts' list opens from its button. */
async function interactive(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(async () => {
    await page.getByRole('button', { name: /^Keyboard shortcuts/ }).click();
    await expect(dialog).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
}

test.describe('Keyboard', () => {
  test('g then a letter moves between the pages', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Cells', level: 1 })).toBeVisible();
    // The key, the page, and its link in the navigation.
    const pages: [string, RegExp, string][] = [
      ['h', /\/hosts$/, 'Host mappings'],
      ['u', /\/computes$/, 'Unmapped computes'],
      ['i', /\/instances$/, 'Instances'],
      ['k', /\/checks$/, 'Checks'],
      ['0', /\/cell0$/, 'cell0'],
      ['b', /\/build-requests$/, 'Build requests'],
      ['a', /\/audit$/, 'Audit'],
      ['c', /\/(\?.*)?$/, 'Cells'],
    ];
    for (const [key, path, link] of pages) {
      await goTo(page, key, path);
      // The navigation says where we are.
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true })).toHaveAttribute('aria-current', 'page');
    }
    // The overview is the first page of the navigation, and g o goes there.
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('listitem').first()).toHaveText('Overview');
    await goTo(page, 'o', /\/overview$/);
  });

  test('/ focuses the search box of every list', async ({ page }) => {
    for (const path of ['/hosts', '/computes', '/instances', '/checks', '/cell0', '/build-requests', '/audit']) {
      await page.goto(path);
      await interactive(page);
      await page.keyboard.press('/');
      const box = page.locator('[data-list-search]');
      await expect(box, path).toHaveCount(1);
      await expect(box, path).toBeFocused();
      // The key itself is not typed into the box.
      await expect(box, path).not.toHaveValue(/\/$/);
    }
  });

  test('? lists the shortcuts in a dialog; Escape closes it and focus goes back', async ({ page }) => {
    await page.goto('/checks');
    await interactive(page);
    const checks = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Checks', exact: true });
    await checks.focus();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(dialog).toBeVisible();
    const list = dialog.getByRole('table', { name: 'Keyboard shortcuts' });
    await expect(list.getByRole('row', { name: /^\/ Focus the list's search$/ })).toBeVisible();
    await expect(list.getByRole('row', { name: /^g then h Go to Host mappings$/ })).toBeVisible();
    await expect(list.getByRole('row', { name: /^g then 0 Go to cell0$/ })).toBeVisible();
    // Shortcuts do not act behind an open dialog.
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    await expect(page).toHaveURL(/\/checks$/);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(checks).toBeFocused();
  });

  test('shortcuts never fire while typing in a field, nor with Ctrl held', async ({ page }) => {
    await page.goto('/instances');
    await interactive(page);
    const name = page.getByRole('textbox', { name: 'Name contains' });
    await name.click();
    await page.keyboard.type('gh?/');
    await expect(name).toHaveValue('gh?/');
    await expect(page).toHaveURL(/\/instances$/);
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
    await expect(name).toBeFocused();

    await name.blur();
    await page.keyboard.press('Control+g');
    await page.keyboard.press('h');
    await page.waitForTimeout(300);
    await expect(page).toHaveURL(/\/instances$/);
  });

  test('the skip link is the first stop of Tab and moves focus to the page', async ({ page }) => {
    // A plain link to a focusable main: it works before the page is interactive too.
    await page.goto('/hosts');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.locator('main#content')).toBeFocused();
    // The next Tab is in the page, not in the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('main')!.contains(document.activeElement))).toBe(true);
  });

  test('keyboard focus is visible', async ({ page }) => {
    await page.goto('/');
    await interactive(page);
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Checks', exact: true });
    await link.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await expect(link).toBeFocused();
    const outline = await link.evaluate((el) => `${getComputedStyle(el).outlineStyle} ${getComputedStyle(el).outlineWidth}`);
    expect(outline).toBe('solid 2px');
  });
});
