import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const SOURCES = [
  'app',
  'server',
  'db',
  'public',
  'proxy.ts',
  'instrumentation-client.ts',
  'package.json',
  'next.config.js',
  'postcss.config.mjs',
  'tsconfig.json',
];

/** A cheap fingerprint of what the Next build is made from (paths, sizes, mtimes). */
export function sourceFingerprint(root: string): string {
  const h = crypto.createHash('sha256');
  const walk = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) if (f !== 'node_modules' && !f.endsWith('.test.ts')) walk(path.join(p, f));
    } else {
      h.update(`${path.relative(root, p)}:${st.size}:${Math.floor(st.mtimeMs)}\n`);
    }
  };
  for (const s of SOURCES) walk(path.join(root, s));
  return h.digest('hex');
}

/** Build the console when there is no build yet or the sources changed since the last one. */
export function ensureBuild(root: string, log: (l: string) => void): void {
  const marker = path.join(root, '.next', 'cellar-fingerprint');
  const fp = sourceFingerprint(root);
  const built = fs.existsSync(path.join(root, '.next', 'BUILD_ID')) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === fp;
  if (built) return;
  log('Building the console (first start, or the sources changed); this takes a minute or two.');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) throw new Error('next build failed (see its output above).');
  fs.writeFileSync(marker, fp);
}
