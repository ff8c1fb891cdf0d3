/**
 * cell0's search box: the same filters as its fields, in the URL; a key it does not know
 * is said and changes nothing.
 */
import { expect, test } from './fixtures';

test('the cell0 search box sets the fields and the URL, and every row it leaves matches; an unknown key changes nothing', async ({ page }) => {
  await page.goto('/cell0?refresh=false');
  const box = page.getByRole('searchbox', { name: 'Search cell0' });
  // Typed before hydration, the text would be reset by it.
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await box.fill('fault:"No valid host" flavor:m1.xlarge');
  await box.press('Enter');
  await expect(page).toHaveURL(/[?&]fault=No(\+|%20)valid(\+|%20)host/);
  await expect(page).toHaveURL(/[?&]flavor=m1\.xlarge/);
  await expect(page.getByLabel('Fault text')).toHaveValue('No valid host');
  await expect(page.getByRole('textbox', { name: 'Flavor', exact: true })).toHaveValue('m1.xlarge');
  const rows = page.getByRole('table', { name: 'cell0 instances' }).locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) {
    await expect(row).toContainText('m1.xlarge');
    await expect(row).toContainText('No valid host');
  }

  const before = page.url();
  await box.fill('colour:red');
  await box.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Unknown key' })).toContainText('Unknown key "colour:"');
  expect(page.url()).toBe(before);
  await expect(page.getByRole('textbox', { name: 'Flavor', exact: true })).toHaveValue('m1.xlarge');
});
