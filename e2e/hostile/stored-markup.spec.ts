/**
 * A Playwright pass over stored hostile data (issue #10, item 10): cell names, host names,
 * compute nodes, instance names, fault texts, build requests, audit rows, users and tokens
 * holding markup and script are written straight into the hostile console's databases,
 * then every console page is loaded as each role (and the sign-in page signed out, with
 * markup in its URL). On every page: no dialog, no injected element, no payload ran, no
 * CSP violation, no 5xx and no error page.
 *
 * The pages are every app/(console)/**\/page.tsx: the static ones, the dynamic ones with the
 * hostile cell, instance and host, and a few with markup in their search parameters.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { type DemoRole, signedInAs } from '../fixtures';
import { hostileSql, ORIGIN } from './wire';

/** Each payload says who it is when it runs (window.__pwned) and opens a dialog. */
const P = {
  img: `<img src=x onerror="window.__pwned='img';alert('img')">`,
  script: `<script>window.__pwned='script';alert('script')</script>`,
  svg: `"><svg onload="window.__pwned='svg';alert('svg')">`,
  js: `javascript:window.__pwned='js';alert('js')`,
  iframe: `<iframe srcdoc="<script>parent.__pwned='iframe';parent.alert('iframe')</script>"></iframe>`,
  attr: `' autofocus onfocus='window.__pwned="attr";alert("attr")' x='`,
  style: `<style>body{background:url(http://127.0.0.1:1/pwned)}</style><link rel=stylesheet href=http://127.0.0.1:1/pwned.css>`,
  template: `{{constructor.constructor('window.__pwned="tpl";alert("tpl")')()}}`,
  breakout: `</textarea></title></script></style><script>alert('breakout')</script>`,
  base: `<base href="http://127.0.0.1:1/"><meta http-equiv="refresh" content="0;url=javascript:alert('meta')">`,
};

const CELL1 = '5c5b9a4e-1f0d-4c39-9a7e-2a51d5c8e101';
const CELL2 = 'b7e0f7a2-6d35-4d6e-8f0b-3c9e4d2a7f02';
/** A cell of its own, down (its database on a closed port), with markup in every text it has. */
const HOSTILE_CELL = 'badc0de0-0000-4000-8000-00000000c0de';

interface Stored {
  cell0Instance: string;
  cell1Instance: string;
}

async function storeHostileData(): Promise<Stored> {
  const api = hostileSql('api');
  const cell0 = hostileSql('cell0');
  const cell1 = hostileSql('cell1');
  try {
    // Cells: a demo cell renamed, and a down cell whose name and URLs hold markup.
    await api`update cell_mappings set name = ${`cell2 ${P.img}`} where uuid = ${CELL2}`;
    await api`
      insert into cell_mappings (uuid, name, transport_url, database_connection, disabled)
      values (${HOSTILE_CELL}, ${P.svg}, ${`rabbit://nova:${P.script}@127.0.0.1:1/${P.img}`},
              ${`postgresql://nova:pw@127.0.0.1:1/${P.breakout}`}, false)
      on conflict (uuid) do nothing`;
    const [c1] = await api<{ id: number }[]>`select id from cell_mappings where uuid = ${CELL1}`;
    const [hc] = await api<{ id: number }[]>`select id from cell_mappings where uuid = ${HOSTILE_CELL}`;
    // Host mappings.
    for (const [cellId, host] of [
      [c1!.id, P.attr],
      [c1!.id, P.template],
      [hc!.id, P.js],
    ] as const) {
      await api`insert into host_mappings (cell_id, host) values (${cellId}, ${host}) on conflict (host) do nothing`;
    }

    // An unmapped compute service and node in cell1, markup in its host and node names.
    const [svc] = await cell1<{ id: number }[]>`
      insert into services (uuid, host, "binary", topic, report_count, disabled, disabled_reason, last_seen_up, version)
      values (${crypto.randomUUID()}, ${P.script}, 'nova-compute', 'compute', 1, true, ${P.breakout}, (now() at time zone 'utc'), 73)
      on conflict do nothing returning id`;
    if (svc) {
      await cell1`
        insert into compute_nodes (uuid, service_id, host, hypervisor_hostname, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used,
                                   local_gb_used, hypervisor_type, hypervisor_version, cpu_info, mapped)
        values (${crypto.randomUUID()}, ${svc.id}, ${P.script}, ${P.img}, 8, 16384, 100, 0, 0, 0, ${P.svg}, 1, ${P.iframe}, 0)`;
    }

    // Instances: the newest live ones of cell1 (first on the instances page) and cell0.
    const [i1] = await cell1<{ uuid: string }[]>`
      select uuid from instances where deleted = 0 and vm_state <> 'soft-delete' order by created_at desc, uuid limit 1`;
    await cell1`update instances set display_name = ${P.script}, hostname = ${P.svg}, display_description = ${P.iframe}, host = ${P.attr} where uuid = ${i1!.uuid}`;
    await cell1`
      update instances set display_name = ${P.js}
      where id = (select id from instances where deleted = 0 and uuid <> ${i1!.uuid} order by created_at desc limit 1)`;
    const [i0] = await cell0<{ uuid: string }[]>`
      select uuid from instances where deleted = 0 and vm_state = 'error' order by created_at desc, uuid limit 1`;
    await cell0`update instances set display_name = ${P.svg}, project_id = ${P.attr} where uuid = ${i0!.uuid}`;
    const faults = await cell0<{ id: number }[]>`select id from instance_faults where instance_uuid = ${i0!.uuid} and deleted = 0 order by id`;
    if (faults.length) {
      await cell0`update instance_faults set message = ${P.img}, details = ${`${P.script}\n${P.iframe}\n${P.breakout}\n${P.base}`}, host = ${P.attr} where id = ${faults[faults.length - 1]!.id}`;
    } else {
      await cell0`insert into instance_faults (instance_uuid, code, message, details, host) values (${i0!.uuid}, 500, ${P.img}, ${P.script}, ${P.attr})`;
    }
    // Another cell0 fault, so the fault groups hold markup too.
    const [other0] = await cell0<{ uuid: string }[]>`
      select uuid from instances where deleted = 0 and vm_state = 'error' and uuid <> ${i0!.uuid} order by created_at desc limit 1`;
    if (other0) await cell0`insert into instance_faults (instance_uuid, code, message, details) values (${other0.uuid}, 500, ${P.template}, ${P.style})`;

    // Build requests: the display name inside nova's Instance primitive, and a project id.
    const brs = await api<{ id: number; instance: string | null }[]>`select id, instance from build_requests order by id`;
    let changed = 0;
    for (const br of brs) {
      try {
        const doc = JSON.parse(br.instance ?? '') as Record<string, Record<string, unknown>>;
        const data = doc['nova_object.data'];
        if (!data) continue;
        data.display_name = changed === 0 ? P.img : P.breakout;
        await api`update build_requests set instance = ${JSON.stringify(doc)}, project_id = ${P.attr} where id = ${br.id}`;
        if (++changed >= 2) break;
      } catch {}
    }

    // Cellar's own rows: an audit row, a user, a token, a failed job.
    await api`
      insert into cellar.audit_log (source, actor_kind, actor, role, action, target, input, outcome, reason, request_id)
      values ('console', 'user', ${P.img}, 'operator', ${P.script}, ${P.svg}, ${JSON.stringify({ name: P.iframe, [P.attr]: P.breakout })}::jsonb, 'refused', ${P.base}, 'stored-markup')`;
    await api`
      insert into cellar.users (id, name, email, email_verified, username, display_username, role)
      values (${`markup-${crypto.randomUUID()}`}, ${P.img}, ${`markup-${crypto.randomUUID()}@users.cellar.invalid`}, false,
              ${'<img src=x onerror=alert(7)>'}, ${'<svg onload=alert(8)>'}, 'viewer')
      on conflict do nothing`;
    await api`
      insert into cellar.api_tokens (name, role, secret_hash, created_by, expires_at)
      values (${'<svg onload=alert(9)>'}, 'viewer', ${crypto.randomBytes(32).toString('hex')}, ${P.img}, (now() at time zone 'utc') + interval '1 day')
      on conflict do nothing`;
    await api`
      insert into cellar.jobs (kind, target, state, params, error, actor, finished_at)
      values ('map_instances', ${CELL1}, 'failed', ${JSON.stringify({ note: P.script })}::jsonb, ${P.img}, ${P.svg}, (now() at time zone 'utc'))`;
    return { cell0Instance: i0!.uuid, cell1Instance: i1!.uuid };
  } finally {
    await Promise.all([api.end({ timeout: 2 }), cell0.end({ timeout: 2 }), cell1.end({ timeout: 2 })]);
  }
}

/**
 * Every console page (app/(console)/**\/page.tsx), the dynamic ones on the hostile rows;
 * with `reflected`, also a few with markup in their search parameters (what a URL holds
 * does not depend on the role: visited once, as the operator).
 */
function pagesFor(s: Stored, reflected: boolean): string[] {
  const q = encodeURIComponent;
  const pages = [
    '/',
    '/overview',
    '/hosts',
    '/computes',
    '/instances',
    `/instances?lookup=${s.cell1Instance}`,
    '/checks',
    '/cell0',
    '/cell0?view=groups',
    `/cell0/${s.cell0Instance}`,
    '/build-requests',
    `/cells/${CELL1}`,
    `/cells/${CELL2}`,
    `/cells/${HOSTILE_CELL}`,
    '/cells/new',
    '/audit',
    '/users',
    '/tokens',
    '/archive',
    '/repairs',
  ];
  const inUrl = [`/hosts?host=${q(P.img)}`, `/instances?project=${q(P.script)}`, `/cell0?fault=${q(P.svg)}`, `/audit?actor=${q(P.img)}`];
  return reflected ? [...pages, ...inUrl] : pages;
}

/** What the console's own pages have: checked against app/(console) so a new page is not left out. */
function consolePagesOnDisk(): string[] {
  const root = path.resolve('app', '(console)');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name === 'page.tsx') out.push(`/${path.relative(root, dir).split(path.sep).join('/')}`.replace(/\/$/, '') || '/');
    }
  };
  walk(root);
  return out.sort();
}

/** Collects CSP violations from the first script on, in the page itself. */
const WATCH = () => {
  const w = window as unknown as { __csp: string[] };
  w.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__csp.push(
      `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}${e.sample ? ` (${e.sample})` : ''} at ${e.sourceFile || document.URL}:${e.lineNumber}:${e.columnNumber}`,
    );
  });
};

/** What the DOM may never hold: elements and attributes only injected markup makes (React never writes on* attributes). */
const INJECTED = [
  'img[src="x"]',
  'svg[onload]',
  '[onerror]',
  '[onload]',
  '[onfocus]',
  '[onclick]',
  '[autofocus][onfocus]',
  'iframe',
  'a[href^="javascript:" i]',
  'base',
  'meta[http-equiv]',
  'link[href*="pwned"]',
].join(', ');

/** Problems by what they are, each with the pages that showed it (one violation on every page is one line). */
function grouped(problems: string[]): string[] {
  const by = new Map<string, string[]>();
  for (const p of problems) {
    const [url, what] = [p.slice(0, p.indexOf(': ')), p.slice(p.indexOf(': ') + 2)];
    by.set(what, [...(by.get(what) ?? []), url]);
  }
  return [...by.entries()].map(([what, urls]) => `${what}\n      on ${urls.length} page${urls.length === 1 ? '' : 's'}: ${urls.join(' ')}`);
}

async function inspect(page: Page, url: string, problems: string[], dialogs: string[], consoleCsp: string[]) {
  const before = { dialogs: dialogs.length, csp: consoleCsp.length };
  const t0 = Date.now();
  const res = await page.goto(url, { waitUntil: 'load' });
  const loaded = Date.now() - t0;
  // The pages' data comes with the server render; a moment for the client's first fetches (pages that poll never go idle).
  await page.waitForLoadState('networkidle', { timeout: 500 }).catch(() => {});
  await page.waitForTimeout(100);
  console.log(`stored-markup: ${url.slice(0, 80)}: ${res?.status()} loaded in ${loaded} ms, settled in ${Date.now() - t0} ms`);
  const status = res?.status() ?? 0;
  if (status >= 500) problems.push(`${url}: answered ${status}`);
  if (new URL(page.url()).origin !== ORIGIN) problems.push(`${url}: went off-site to ${page.url()}`);
  const found = await page.evaluate((selector) => {
    const w = window as unknown as { __pwned?: unknown; __csp?: string[] };
    const injected = [...document.querySelectorAll(selector)].map((e) => e.outerHTML.slice(0, 160));
    // A script or style element of the payloads' own (Next's nonced flight scripts carry the markup as data, in JSON strings).
    const scripts = [...document.querySelectorAll('script, style')]
      .filter((e) => /^\s*(?:window\.__pwned|parent\.__pwned|alert\(|body\{background:url\(http:\/\/127\.0\.0\.1:1)/.test(e.textContent ?? ''))
      .map((e) => e.outerHTML.slice(0, 160));
    return {
      pwned: w.__pwned ?? null,
      csp: w.__csp ?? [],
      injected: [...injected, ...scripts],
      errorPage: (document.body.textContent ?? '').includes('This page could not be shown'),
    };
  }, INJECTED);
  if (found.pwned !== null) problems.push(`${url}: a payload ran (window.__pwned = ${JSON.stringify(found.pwned)})`);
  if (found.injected.length) problems.push(`${url}: injected elements: ${found.injected.join(' | ')}`);
  if (found.csp.length) problems.push(`${url}: CSP violations: ${found.csp.join(' | ')}`);
  if (found.errorPage) problems.push(`${url}: the error page ("This page could not be shown")`);
  if (dialogs.length > before.dialogs) problems.push(`${url}: dialogs: ${dialogs.slice(before.dialogs).join(' | ')}`);
  if (consoleCsp.length > before.csp) problems.push(`${url}: console: ${consoleCsp.slice(before.csp).join(' | ')}`);
}

async function watched(context: BrowserContext) {
  await context.addInitScript(WATCH);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const consoleCsp: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (?:execute|load|apply|run)/i.test(m.text())) consoleCsp.push(m.text().slice(0, 300));
  });
  page.on('pageerror', (e) => consoleCsp.push(`page error: ${e.message.slice(0, 200)}`));
  return { page, dialogs, consoleCsp };
}

let stored: Stored;
test.beforeAll(async () => {
  stored = await storeHostileData();
});

test('the pass covers every console page', () => {
  const covered = new Set(
    pagesFor({ cell0Instance: '[uuid]', cell1Instance: '[uuid]' }, false).map((u) => u.split('?')[0]!.replace(/\/[0-9a-f-]{36}$/, '/[uuid]')),
  );
  for (const p of consolePagesOnDisk()) expect(covered, `the page ${p} is not visited`).toContain(p);
});

for (const role of ['viewer', 'support', 'operator'] as DemoRole[]) {
  test(`every page over stored markup as ${role}: no dialog, no injected element, no CSP violation`, async ({ browser }) => {
    test.setTimeout(180_000);
    const context = await signedInAs(browser, role);
    const { page, dialogs, consoleCsp } = await watched(context);
    const problems: string[] = [];
    for (const url of pagesFor(stored, role === 'operator')) await inspect(page, url, problems, dialogs, consoleCsp);
    // The markup reached the pages as text (the pass is not looking at empty pages).
    await page.goto('/');
    await expect(page.getByText(`cell2 ${P.img}`).first()).toBeVisible();
    await page.goto('/computes');
    await expect(page.getByText(P.script).first()).toBeVisible();
    await context.close();
    expect(grouped(problems), `${problems.length} problems as ${role}:\n${grouped(problems).join('\n')}`).toEqual([]);
  });
}

test('the sign-in page, signed out, with markup in its URL: no dialog, no injected element, no CSP violation', async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const { page, dialogs, consoleCsp } = await watched(context);
  const problems: string[] = [];
  const q = encodeURIComponent;
  for (const url of [
    '/sign-in',
    `/sign-in?next=${q(P.js)}`,
    `/sign-in?next=${q(`/${P.svg}`)}`,
    `/sign-in?ended=1&next=${q(`/audit?actor=${P.img}`)}`,
    `/audit?actor=${q(P.script)}`,
  ]) {
    await inspect(page, url, problems, dialogs, consoleCsp);
  }
  await context.close();
  expect(grouped(problems), `${problems.length} problems:\n${grouped(problems).join('\n')}`).toEqual([]);
});
