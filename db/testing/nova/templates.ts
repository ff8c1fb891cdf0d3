/**
 * Template databases of a real nova deployment, made once per server by nova itself
 * (Debian's python3-nova): nova-manage makes the schemas and the cells, fill_nova.py
 * fills them through nova's objects. createNovaDeployment (nova-deployment.ts) clones them.
 *
 * The templates are named by a hash of fill_nova.py, this file and nova's version, so a
 * change to any of them builds fresh ones; an advisory lock keeps parallel runs on one
 * server from building the same set twice. fill_nova.py's facts are kept as the comment
 * of the api template, so a later run that finds the templates needs no python at all.
 */
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { withDatabase } from '../templates';
import type { NovaFacts } from './facts';

/** Debian's interpreter: python3-nova lives in its dist-packages, not in a pyenv's. */
export const NOVA_PYTHON = '/usr/bin/python3';
export const NOVA_INSTALL_COMMAND = 'apt-get install -y python3-nova python3-psycopg2';
export const NOVA_MANAGE_CODE = 'import sys; from nova.cmd.manage import main; sys.exit(main())';
export const FILL_NOVA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fill_nova.py');
export const NOVA_ROLES = ['api', 'cell0', 'cell1', 'cell2'] as const;
export type NovaRole = (typeof NOVA_ROLES)[number];

export interface NovaTemplates {
  /** role → template database name */
  databases: Record<NovaRole, string>;
  novaVersion: string;
  facts: NovaFacts;
}

/** The environment variable global-setup fills for createNovaDeployment. */
export const NOVA_TEMPLATES_ENV = 'CELLAR_TEST_NOVA_TEMPLATES';

/** A clean environment for Debian's python: nothing from a pyenv or a virtualenv. */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV', 'PYTHONUSERBASE']) delete env[k];
  env.PYTHONDONTWRITEBYTECODE = '1';
  env.PYTHONNOUSERSITE = '1';
  return env;
}

let versionCache: string | null | undefined;

/** nova's version as Debian's python3 imports it, or null when nova or psycopg2 is missing. */
export function novaVersion(): string | null {
  if (versionCache !== undefined) return versionCache;
  const r = spawnSync(NOVA_PYTHON, ['-c', 'import psycopg2; from nova import version; print(version.version_string())'], {
    encoding: 'utf8',
    env: pythonEnv(),
  });
  versionCache = r.status === 0 ? r.stdout.trim() : null;
  return versionCache;
}

/** python3-nova (with psycopg2) importable by /usr/bin/python3. */
export function novaAvailable(): boolean {
  return novaVersion() !== null;
}

/** Throws the plain message, with the install command, when nova cannot be imported. */
export function requireNova(): string {
  const v = novaVersion();
  if (v) return v;
  throw new Error(
    `The nova tests need Debian's python3-nova and python3-psycopg2, importable by ${NOVA_PYTHON} ` +
      `(\`${NOVA_PYTHON} -c 'import nova, psycopg2'\` fails). Install them with:\n\n    ${NOVA_INSTALL_COMMAND}\n`,
  );
}

/** postgresql://… (libpq, postgres.js) → the SQLAlchemy URL nova stores. */
export function toNovaUrl(url: string): string {
  return url.replace(/^postgres(ql)?(\+[a-z0-9_]+)?:\/\//, 'postgresql+psycopg2://');
}

export interface NovaConfOptions {
  dir: string;
  apiUrl: string;
  cellUrl: string;
}

/** A nova.conf for nova-manage and fill_nova.py; returns its path. */
export function writeNovaConf({ dir, apiUrl, cellUrl }: NovaConfOptions, name = 'nova.conf'): string {
  const state = path.join(dir, 'state');
  fs.mkdirSync(state, { recursive: true });
  const conf = path.join(dir, name);
  fs.writeFileSync(
    conf,
    [
      '[DEFAULT]',
      // cell mappings copy it (cell1); nothing connects to it.
      'transport_url = rabbit://guest:guest@127.0.0.1:5672/',
      `state_path = ${state}`,
      // fault and action-event hosts; the build machine's name otherwise.
      'host = cellar-ctl-1',
      '[api_database]',
      `connection = ${toNovaUrl(apiUrl)}`,
      '[database]',
      `connection = ${toNovaUrl(cellUrl)}`,
      '[oslo_messaging_notifications]',
      'driver = noop',
      '',
    ].join('\n'),
  );
  return conf;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run Debian's python with these arguments; never throws on a non-zero exit. */
export function runPython(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      NOVA_PYTHON,
      args,
      { cwd: opts.cwd, env: pythonEnv(), maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err); // ENOENT and kin
        if (err?.killed) return reject(new Error(`${NOVA_PYTHON} ${args.slice(0, 4).join(' ')}… timed out\n${stderr}`));
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** `nova-manage --config-file conf …args`, as Debian's /usr/bin/nova-manage runs it. */
export function runNovaManage(conf: string, args: string[], cwd?: string): Promise<RunResult> {
  return runPython(['-c', NOVA_MANAGE_CODE, '--config-file', conf, ...args], { cwd });
}

async function mustNovaManage(conf: string, args: string[], cwd: string): Promise<string> {
  const r = await runNovaManage(conf, args, cwd);
  if (r.code !== 0) throw new Error(`nova-manage ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function templateHash(version: string): string {
  const h = crypto.createHash('sha256');
  h.update(fs.readFileSync(FILL_NOVA));
  h.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  h.update(version);
  return h.digest('hex').slice(0, 12);
}

/** Make the four databases of a nova deployment with nova-manage, then fill them. */
async function buildDeployment(serverUrl: string, names: Record<NovaRole, string>, log: (l: string) => void): Promise<NovaFacts> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellar-nova-tpl-'));
  try {
    const url = (role: NovaRole) => withDatabase(serverUrl, names[role]);
    const conf = writeNovaConf({ dir, apiUrl: url('api'), cellUrl: url('cell1') });
    const conf2 = writeNovaConf({ dir, apiUrl: url('api'), cellUrl: url('cell2') }, 'nova-cell2.conf');
    const t0 = Date.now();
    const step = async (args: string[], c = conf) => {
      const t = Date.now();
      const out = await mustNovaManage(c, args, dir);
      log(`nova-manage ${args.slice(0, 2).join(' ')}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return out;
    };
    await step(['api_db', 'sync']);
    await step(['cell_v2', 'map_cell0', '--database_connection', toNovaUrl(url('cell0'))]);
    // Syncs [database]/connection (cell1) and, cell0 being mapped, cell0 too.
    await step(['db', 'sync']);
    await step(['cell_v2', 'create_cell', '--name', 'cell1', '--verbose']);
    // nova refuses a cell whose transport_url OR database_connection another cell has.
    await step([
      'cell_v2',
      'create_cell',
      '--name',
      'cell2',
      '--verbose',
      '--database_connection',
      toNovaUrl(url('cell2')),
      '--transport-url',
      'rabbit://guest:guest@127.0.0.1:5672/cell2',
    ]);
    await step(['db', 'sync'], conf2);
    const t = Date.now();
    const fill = await runPython([FILL_NOVA, '--config-file', conf, 'fill'], { cwd: dir });
    if (fill.code !== 0) throw new Error(`fill_nova.py fill failed (exit ${fill.code}):\n${fill.stdout}\n${fill.stderr}`);
    log(`fill_nova.py fill: ${((Date.now() - t) / 1000).toFixed(1)} s; nova deployment built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return JSON.parse(fill.stdout) as NovaFacts;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The four template databases (api, cell0, cell1, cell2) of a nova deployment, built
 * once per server and nova version. Throws with the install command when python3-nova
 * is not importable.
 */
export async function ensureNovaTemplates(
  serverUrl: string,
  log: (line: string) => void = (l) => console.log(`[nova-templates] ${l}`),
): Promise<NovaTemplates> {
  const version = requireNova();
  const hash = templateHash(version);
  const databases = Object.fromEntries(NOVA_ROLES.map((r) => [r, `cellar_nova_tpl_${hash}_${r}`])) as Record<NovaRole, string>;
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  const lockKey = `cellar_nova_tpl_${hash}`;
  try {
    await admin`select pg_advisory_lock(hashtext(${lockKey}))`;
    try {
      const rows = await admin<{ datname: string; facts: string | null }[]>`
        select datname, shobj_description(oid, 'pg_database') as facts
        from pg_database where datname in ${admin(Object.values(databases))} and datistemplate`;
      const api = rows.find((r) => r.datname === databases.api);
      if (rows.length === NOVA_ROLES.length && api?.facts) {
        return { databases, novaVersion: version, facts: JSON.parse(api.facts) as NovaFacts };
      }
      log(`building nova ${version} template databases cellar_nova_tpl_${hash}_* (nova-manage + fill_nova.py)`);
      for (const name of Object.values(databases)) {
        const [present] = await admin`select datistemplate from pg_database where datname = ${name}`;
        if (present?.datistemplate) await admin.unsafe(`alter database "${name}" with is_template false`);
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.unsafe(`create database "${name}"`);
      }
      const facts = await buildDeployment(serverUrl, databases, log);
      await admin.unsafe(`comment on database "${databases.api}" is ${quoteLiteral(JSON.stringify(facts))}`);
      for (const name of Object.values(databases)) await admin.unsafe(`alter database "${name}" with is_template true`);
      return { databases, novaVersion: version, facts };
    } finally {
      await admin`select pg_advisory_unlock(hashtext(${lockKey}))`;
    }
  } finally {
    await admin.end({ timeout: 2 });
  }
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
