import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { openApiDatabase, openCellDatabase } from '../connect';
import { applyMigrations, migrationsFolder, SETS_OF, type SchemaFamily } from '../migrate';

/** Swap the database name of a server URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url.replace(/^postgres(ql)?:/, 'http:'));
  u.pathname = `/${database}`;
  return u.toString().replace(/^http:/, 'postgresql:');
}

function migrationsHash(family: SchemaFamily): string {
  const h = crypto.createHash('sha256');
  for (const set of SETS_OF[family]) {
    const dir = migrationsFolder(set);
    for (const f of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isFile()) h.update(set).update(f).update(fs.readFileSync(p));
    }
    h.update(fs.readFileSync(path.join(dir, 'meta', '_journal.json')));
  }
  return h.digest('hex').slice(0, 12);
}

/** Migrated template databases, named by a hash of their migrations so a change makes fresh ones. */
export async function ensureTemplates(serverUrl: string): Promise<{ api: string; cell: string }> {
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    const out = { api: '', cell: '' };
    for (const family of ['api', 'cell'] as const) {
      const name = `cellar_tpl_${family}_${migrationsHash(family)}`;
      out[family] = name;
      // One process at a time builds templates (parallel CI jobs on one server).
      await admin`select pg_advisory_lock(hashtext(${name}))`;
      try {
        const [exists] = await admin`select 1 from pg_database where datname = ${name} and datistemplate`;
        if (exists) continue;
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.unsafe(`create database "${name}"`);
        const handle = family === 'api' ? openApiDatabase(withDatabase(serverUrl, name)) : openCellDatabase(withDatabase(serverUrl, name));
        try {
          await applyMigrations(handle, family);
        } finally {
          await handle.close();
        }
        await admin.unsafe(`alter database "${name}" with is_template true`);
      } finally {
        await admin`select pg_advisory_unlock(hashtext(${name}))`;
      }
    }
    return out;
  } finally {
    await admin.end({ timeout: 2 });
  }
}
