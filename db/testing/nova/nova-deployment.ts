/**
 * A throwaway nova deployment made exactly as nova makes it (Debian's python3-nova,
 * nova 26 "Zed"): four databases cloned from the templates global-setup built with
 * nova-manage and fill_nova.py (see templates.ts), their cell mappings repointed at the
 * clones through nova's CellMapping objects, and a nova.conf for the clone so nova's own
 * tools (nova-manage, nova-status's Cells v2 check, pg_dump) can read back what Cellar
 * writes.
 *
 *   const nova = await createNovaDeployment();
 *   // point Cellar at nova.api.url; nova.facts says what is in it
 *   const r = await nova.novaManage(['cell_v2', 'verify_instance', '--uuid', nova.facts.byPurpose.buried]);
 *   await nova.close();
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { withDatabase } from '../templates';
import { catalogDump, dumpMethodFor, PG_DUMP } from './catalog-dump';
import type { NovaFacts } from './facts';
import {
  ensureNovaTemplates,
  FILL_NOVA,
  NOVA_ROLES,
  NOVA_TEMPLATES_ENV,
  type NovaRole,
  type NovaTemplates,
  type RunResult,
  runNovaManage,
  runPython,
  toNovaUrl,
  writeNovaConf,
} from './templates';

/**
 * The time a test that runs nova-manage gets: each call starts Python and imports nova
 * (4–7 s on the CI machine, more while other tests load it), and a test makes several.
 */
export const NOVA_TEST_TIMEOUT_MS = 120_000;

export { NOVA_PYTHON, novaAvailable, NOVA_INSTALL_COMMAND } from './templates';

export { PG_DUMP } from './catalog-dump';

export type { NovaFacts, NovaFactsCell, NovaFactsCompute, NovaFactsFlavor, NovaFactsInstance, NovaInstancePurpose } from './facts';

export interface NovaCell {
  uuid: string;
  name: string;
  database: string;
  /** postgresql:// for Cellar */
  url: string;
  /** postgresql+psycopg2:// as stored in cell_mappings.database_connection */
  novaUrl: string;
}

export interface NovaDeployment {
  serverUrl: string;
  api: { database: string; url: string; novaUrl: string };
  cell0: NovaCell;
  cell1: NovaCell;
  cell2: NovaCell;
  facts: NovaFacts;
  confPath: string;
  novaManage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The "Cells v2" check of `nova-status upgrade check`: its result and details, read from nova's own code. */
  novaStatusCellsV2(): Promise<{ result: 'Success' | 'Warning' | 'Failure'; details: string | null }>;
  /** pg_dump --schema-only --schema=public of each of the four databases, keyed by role (api, cell0, cell1, cell2). */
  dumpPublicSchemas(): Promise<Record<'api' | 'cell0' | 'cell1' | 'cell2', string>>;
  /** drops the clones */
  close(): Promise<void>;
}

function testServerUrl(): string {
  return process.env.CELLAR_TEST_DATABASE_URL ?? inject('testDatabaseUrl');
}

async function templates(serverUrl: string): Promise<NovaTemplates> {
  const raw = process.env[NOVA_TEMPLATES_ENV];
  if (raw) {
    const t = JSON.parse(raw) as NovaTemplates & { serverUrl?: string };
    if (!t.serverUrl || t.serverUrl === serverUrl) return t;
  }
  // Not made by global-setup for this server (another server, or outside vitest).
  return ensureNovaTemplates(serverUrl);
}

const STATUS_CODE = `
import json, sys
from nova import config
from nova.cmd import status
config.parse_args(['nova-status', '--config-file', sys.argv[1]])
r = status.UpgradeCommands()._check_cellsv2()
print(json.dumps({'code': int(r.code), 'details': r.details}))
`;

/** Lines of a pg_dump that differ between two dumps of the same schema. */
export function normaliseDump(dump: string, database: string): string {
  return dump
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l)) // pg_dump ≥ 15.14: a random key per dump
    .filter((l) => !(l.startsWith('--') && l.includes(database)))
    .join('\n');
}

/** pg_dump --schema-only --schema=public of one database (PG_DUMP: the machine's, so the server must not be newer). */
export function pgDump(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PG_DUMP, ['--schema-only', '--schema=public', `--dbname=${url}`], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`pg_dump failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

export async function createNovaDeployment(opts: { serverUrl?: string } = {}): Promise<NovaDeployment> {
  const serverUrl = opts.serverUrl ?? testServerUrl();
  const tpl = await templates(serverUrl);
  const facts = tpl.facts;
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  const tag = `nova_${crypto.randomBytes(5).toString('hex')}`;
  const names = Object.fromEntries(NOVA_ROLES.map((r) => [r, `${tag}_${r}`])) as Record<NovaRole, string>;
  const created: string[] = [];
  let dir: string | undefined;
  const dropAll = async () => {
    for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    created.length = 0;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const role of NOVA_ROLES) {
      await admin.unsafe(`create database "${names[role]}" template "${tpl.databases[role]}"`);
      created.push(names[role]);
    }
    const url = (role: NovaRole) => withDatabase(serverUrl, names[role]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-nova-'));
    const confPath = writeNovaConf({ dir, apiUrl: url('api'), cellUrl: url('cell1') });
    const workDir = dir;

    const cell = (role: 'cell0' | 'cell1' | 'cell2'): NovaCell => ({
      uuid: facts.cells[role].uuid,
      name: facts.cells[role].name,
      database: names[role],
      url: url(role),
      novaUrl: toNovaUrl(url(role)),
    });
    const cells = { cell0: cell('cell0'), cell1: cell('cell1'), cell2: cell('cell2') };

    // The clone's cell mappings still name the template databases: repoint them, with nova's objects.
    const repoint = await runPython(
      [FILL_NOVA, '--config-file', confPath, 'repoint', JSON.stringify(Object.fromEntries(Object.values(cells).map((c) => [c.uuid, c.novaUrl])))],
      { cwd: workDir },
    );
    if (repoint.code !== 0) throw new Error(`fill_nova.py repoint failed (exit ${repoint.code}):\n${repoint.stdout}\n${repoint.stderr}`);
    const stored = JSON.parse(repoint.stdout) as { uuid: string; databaseConnection: string }[];
    for (const c of Object.values(cells)) {
      const got = stored.find((s) => s.uuid === c.uuid)?.databaseConnection;
      if (got !== c.novaUrl) throw new Error(`fill_nova.py repoint: cell ${c.name} is at ${got}, expected ${c.novaUrl}`);
    }

    const novaManage = (args: string[]): Promise<RunResult> => runNovaManage(confPath, args, workDir);

    return {
      serverUrl,
      api: { database: names.api, url: url('api'), novaUrl: toNovaUrl(url('api')) },
      ...cells,
      facts,
      confPath,
      novaManage,
      async novaStatusCellsV2() {
        const r = await runPython(['-c', STATUS_CODE, confPath], { cwd: workDir });
        if (r.code !== 0) throw new Error(`nova-status Cells v2 check failed to run (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
        const { code, details } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: number; details: string | null };
        const result = (['Success', 'Warning', 'Failure'] as const)[code];
        if (!result) throw new Error(`nova-status Cells v2 check: unknown code ${code}`);
        return { result, details };
      },
      async dumpPublicSchemas() {
        // The machine's pg_dump dumps a server of its own major version or older; for a newer
        // one (the embedded PostgreSQL 18 beside Debian 12's pg_dump 15) the catalogs say the same.
        const useCatalog = (await dumpMethodFor(url('api'))).method === 'catalog';
        const dumps = await Promise.all(
          NOVA_ROLES.map(async (role) => [role, useCatalog ? await catalogDump(url(role)) : normaliseDump(await pgDump(url(role)), names[role])] as const),
        );
        return Object.fromEntries(dumps) as Record<NovaRole, string>;
      },
      async close() {
        try {
          await dropAll();
        } finally {
          await admin.end({ timeout: 2 });
        }
      },
    };
  } catch (e) {
    await dropAll().catch(() => {});
    await admin.end({ timeout: 2 });
    throw e;
  }
}
