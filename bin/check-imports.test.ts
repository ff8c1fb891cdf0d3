import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImports, importsOf, isClientEntry } from './check-imports.mjs';

const script = path.resolve('bin/check-imports.mjs');

/** A small tree laid out as the repository is (app/, server/, db/), with one violation of each rule and their allowed twins. */
const FIXTURE: Record<string, string> = {
  // Allowed: a contract and cell-ref at runtime, anything as a type.
  'app/good/view.tsx': `'use client';
import { PAGE_SIZES } from '@/server/area/contract';
import { cellLabel } from '../../server/cells/cell-ref';
import type { Row } from '@/server/area/list';
import { type Other } from '@/server/area/list';
export const View = () => [PAGE_SIZES, cellLabel, null as unknown as Row, null as unknown as Other];
`,
  // Rule 1: a client component importing a domain module at runtime…
  'app/bad/view.tsx': `/** A view. */
'use client';

import { listRows } from '@/server/area/list';
import { helper } from './helper';
export const View = () => [listRows, helper];
`,
  // …and a plain module a client component imports, reaching db/ (it is browser code too).
  'app/bad/helper.ts': `import { openDatabase } from '@/db/connect';
export const helper = openDatabase;
`,
  // Rule 2: a contract that drags a server-only module into the browser.
  'app/leaky/view.tsx': `"use client";
export { LEAK } from '@/server/leaky/contract';
`,
  // Rule 3: a page taking the database handle itself; a route handler may.
  'app/page.tsx': `import { runtimeDeps } from '@/server/deps';
export default async function Page() { return runtimeDeps(); }
`,
  'app/api/thing/route.ts': `import { runtimeDeps } from '@/server/deps';
export const GET = () => runtimeDeps();
`,
  'server/area/contract.ts': `import { z } from 'zod';
export const PAGE_SIZES = [25, 50] as const;
export const input = z.object({});
export type { Row } from './list';
`,
  'server/area/list.ts': `import 'server-only';
export interface Row { id: number }
export type Other = Row;
export const listRows = () => [];
`,
  'server/leaky/contract.ts': `export { LEAK } from './query';
`,
  'server/leaky/query.ts': `import 'server-only';
export const LEAK = 1;
`,
  'server/cells/cell-ref.ts': `export const cellLabel = (c: { name: string | null; uuid: string }) => c.name ?? c.uuid;
`,
  'server/deps.ts': `import 'server-only';
export const runtimeDeps = () => ({});
`,
  'db/connect.ts': `import 'server-only';
export const openDatabase = () => null;
`,
};

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-check-imports-'));
  for (const [file, text] of Object.entries(FIXTURE)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('reading imports', () => {
  it('tells type-only imports from runtime ones, and finds re-exports and side-effect imports', () => {
    const found = importsOf(`import a from 'a';
import type { B } from 'b';
import { type C, type D } from 'c';
import { type E, F } from 'e';
import 'side';
export { G } from 'g';
export type { H } from 'h';
// import { commented } from 'nope';
/* import { blocked } from 'nope'; */
const lazy = () => import('lazy');
`);
    expect(found.map((i) => [i.specifier, i.typeOnly])).toEqual([
      ['a', false],
      ['b', true],
      ['c', true],
      ['e', false],
      ['side', false],
      ['g', false],
      ['h', true],
      ['lazy', false],
    ]);
  });

  it("recognises 'use client' only as the first statement", () => {
    expect(isClientEntry(`'use client';\nexport {}`)).toBe(true);
    expect(isClientEntry(`/** doc */\n"use client";`)).toBe(true);
    expect(isClientEntry(`import 'x';\n'use client';`)).toBe(false);
  });
});

describe('npm run lint:imports', () => {
  it('fails on a tree with a client component importing server code, a leaky contract and a page with a database handle', () => {
    const found: [string, string, string][] = checkImports(root).map((v: { rule: string; file: string; specifier: string }) => [v.rule, v.file, v.specifier]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['client-import', 'app/bad/view.tsx', '@/server/area/list'],
        ['client-import', 'app/bad/helper.ts', '@/db/connect'],
        ['server-only', 'server/leaky/query.ts', 'server-only'],
        ['page-data', 'app/page.tsx', '@/server/deps'],
      ]),
    );
    // The allowed twins: contracts and cell-ref at runtime, domain modules as types, a route handler's deps.
    expect(found.filter(([, file]) => file.startsWith('app/good/') || file.startsWith('app/api/'))).toEqual([]);
    // A contract that reaches nothing server-only is fine.
    expect(found.filter(([, file]) => file === 'server/area/contract.ts')).toEqual([]);

    const run = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('app/bad/view.tsx:4 imports server/area/list.ts at runtime in browser code');
    expect(run.stderr).toContain(
      "server/leaky/query.ts imports 'server-only' but is reached from a client component: app/leaky/view.tsx → server/leaky/contract.ts → server/leaky/query.ts",
    );
  });

  it('passes on the repository', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
