#!/usr/bin/env node
/**
 * `npm run lint:imports`: the console's import boundaries, checked on the sources.
 *
 * 1. Browser code reaches the server only through its contracts. A client module is a file
 *    under app/ that starts with 'use client', and every module such a file imports at
 *    runtime, transitively. A client module outside server/ and db/ may import at runtime
 *    from server/ or db/ only a contract (server/<area>/contract.ts), server/cells/cell-ref.ts,
 *    server/errors.ts or server/trpc-limits.ts (the batch size its tRPC link sends). Type-only imports (`import type`, `import { type A }`,
 *    `export type … from`) are erased by the compiler and always allowed.
 * 2. Nothing a client module reaches imports 'server-only' (the mark of code that opens a
 *    database): a contract must not drag a query into the browser bundle.
 * 3. Pages get their data through tRPC or the server caller: no module under app/ but the
 *    route handlers (app/**\/route.ts) and the server caller (app/_trpc/) imports db/,
 *    server/deps.ts, server/trpc.ts or server/root.ts at runtime.
 *
 *   node bin/check-imports.mjs [--root DIR] [--json]
 *
 * Exits 0 when every rule holds, 1 with one line per violation otherwise. --root points it
 * at another tree laid out the same way (app/, server/, db/; `@/` is the root), which is how
 * its test shows it failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs'];

/** The source without comments (strings and template literals kept as they are). */
function stripComments(src) {
  let out = '';
  let i = 0;
  let quote = null;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (quote) {
      out += c;
      if (c === '\\') {
        out += next ?? '';
        i += 2;
        continue;
      }
      if (c === quote || (quote !== '`' && c === '\n')) quote = null;
      i++;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    out += c;
    i++;
  }
  return out;
}

const lineOf = (src, index) => src.slice(0, index).split('\n').length;

/** Whether an import clause binds only types: `type X`, `type { … }`, or `{ type A, type B }`. */
function typeOnlyClause(typeKeyword, clause) {
  if (typeKeyword) return true;
  const braces = /^\{([\s\S]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

/** Every import and re-export of a module: its specifier, line, and whether it is type-only. */
export function importsOf(source) {
  const src = stripComments(source);
  const found = [];
  const add = (specifier, index, typeOnly) => found.push({ specifier, line: lineOf(src, index), typeOnly });
  for (const m of src.matchAll(/(^|[;\n])[ \t]*import\s+(type\s+)?([^'";]*?)\s*from\s*(['"])([^'"\n]+)\4/g)) {
    add(m[5], m.index + m[1].length, typeOnlyClause(m[2], m[3]));
  }
  for (const m of src.matchAll(/(^|[;\n])[ \t]*import\s*(['"])([^'"\n]+)\2/g)) add(m[3], m.index + m[1].length, false);
  for (const m of src.matchAll(/(^|[;\n])[ \t]*export\s+(type\s+)?(\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*(['"])([^'"\n]+)\4/g)) {
    add(m[5], m.index + m[1].length, typeOnlyClause(m[2], m[3]));
  }
  for (const m of src.matchAll(/\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g)) add(m[2], m.index, false);
  return found;
}

/** Whether the module's first statement is the 'use client' directive. */
export function isClientEntry(source) {
  return /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])use client\1/.test(source);
}

const marksServerOnly = (source) => importsOf(source).some((i) => i.specifier === 'server-only');

function resolveFile(base) {
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  // `./x.js` written for `./x.ts`, as TypeScript allows.
  if (/\.(m?js|jsx)$/.test(base)) candidates.push(...EXTENSIONS.map((e) => base.replace(/\.(m?js|jsx)$/, e)));
  return candidates.find((f) => fs.existsSync(f) && fs.statSync(f).isFile()) ?? null;
}

/** A specifier of `from`, resolved inside the tree (`@/` is the root), or null for a package. */
function resolveImport(root, from, specifier) {
  if (specifier.startsWith('@/')) return resolveFile(path.join(root, specifier.slice(2)));
  if (specifier.startsWith('.')) return resolveFile(path.resolve(path.dirname(from), specifier));
  return null;
}

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : walk(p);
    return EXTENSIONS.includes(path.extname(e.name)) ? [p] : [];
  });
}

/** The modules a client component may import from server/ and db/ at runtime. */
function isBrowserSafeServerModule(rel) {
  return /^server\/[^/]+\/contract\.(ts|tsx)$/.test(rel) || rel === 'server/cells/cell-ref.ts' || rel === 'server/errors.ts' || rel === 'server/trpc-limits.ts';
}

const inServerOrDb = (rel) => rel.startsWith('server/') || rel.startsWith('db/');
const isRouteHandler = (rel) => /^app\/(.+\/)?route\.(ts|tsx|js)$/.test(rel);
const isServerCaller = (rel) => rel.startsWith('app/_trpc/');
const dataAccess = (rel) => rel.startsWith('db/') || ['server/deps.ts', 'server/trpc.ts', 'server/root.ts'].includes(rel);

/** Every violation of the three rules in the tree at `root`. */
export function checkImports(root) {
  root = path.resolve(root);
  const rel = (f) => path.relative(root, f).split(path.sep).join('/');
  const sources = new Map();
  const read = (f) => {
    if (!sources.has(f)) sources.set(f, fs.readFileSync(f, 'utf8'));
    return sources.get(f);
  };
  const runtimeImports = (f) =>
    importsOf(read(f))
      .filter((i) => !i.typeOnly)
      .map((i) => ({ ...i, target: resolveImport(root, f, i.specifier) }));

  const violations = [];
  const appFiles = walk(path.join(root, 'app'));

  // Rules 1 and 2: follow every runtime import from each 'use client' file.
  const entries = appFiles.filter((f) => isClientEntry(read(f)));
  /** How each client module was reached: the chain from its 'use client' file. */
  const via = new Map(entries.map((f) => [f, [rel(f)]]));
  const queue = [...entries];
  while (queue.length) {
    const f = queue.shift();
    const chain = via.get(f);
    if (marksServerOnly(read(f))) {
      violations.push({
        rule: 'server-only',
        file: rel(f),
        line: 1,
        specifier: 'server-only',
        message: `${rel(f)} imports 'server-only' but is reached from a client component: ${chain.join(' → ')}`,
      });
    }
    for (const i of runtimeImports(f)) {
      if (!i.target) continue;
      const to = rel(i.target);
      if (!inServerOrDb(rel(f)) && inServerOrDb(to) && !isBrowserSafeServerModule(to)) {
        violations.push({
          rule: 'client-import',
          file: rel(f),
          line: i.line,
          specifier: i.specifier,
          message: `${rel(f)}:${i.line} imports ${to} at runtime in browser code (${chain.join(' → ')}); import its contract (server/<area>/contract.ts), or import only types`,
        });
      }
      if (!via.has(i.target)) {
        via.set(i.target, [...chain, to]);
        queue.push(i.target);
      }
    }
  }

  // Rule 3: server components and pages never take a database handle themselves.
  for (const f of appFiles) {
    const from = rel(f);
    if (isRouteHandler(from) || isServerCaller(from)) continue;
    for (const i of runtimeImports(f)) {
      if (!i.target || !dataAccess(rel(i.target))) continue;
      violations.push({
        rule: 'page-data',
        file: from,
        line: i.line,
        specifier: i.specifier,
        message: `${from}:${i.line} imports ${rel(i.target)}: pages get data through tRPC or the server caller (app/_trpc/server.tsx), or a domain function`,
      });
    }
  }
  return violations;
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--root');
  const root = at >= 0 ? args[at + 1] : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const violations = checkImports(root);
  if (args.includes('--json')) console.log(JSON.stringify(violations, null, 2));
  else if (violations.length === 0) console.log('check-imports: client components import only contracts from server/ and db/; pages take no database handle.');
  else for (const v of violations) console.error(`check-imports: ${v.message}`);
  process.exit(violations.length ? 1 : 0);
}
