/** Sign in once as the demo operator and keep the browser state for every spec. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test as setup } from '@playwright/test';
import { OPERATOR_STATE } from '../playwright.config';

setup('sign in as the demo operator', async ({ page }) => {
  fs.mkdirSync(path.dirname(OPERATOR_STATE), { recursive: true });
  await page.goto('/sign-in');
  await page.getByLabel('User name').fill('operator');
  await page.getByLabel('Password').fill('operator-demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('region', { name: 'Signed in' })).toContainText('Signed in as operator (operator)');
  await page.context().storageState({ path: OPERATOR_STATE });
});
