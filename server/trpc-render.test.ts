import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the server caller in a server render (app/_trpc/server.tsx)', () => {
  it('resolves the session once per render: the layout, a prefetch and a server call share one context', () => {
    // React's cache lasts one server render only in React's server build: a process of its own, as Next runs it.
    const run = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.resolve('server/trpc-render.fixture.ts')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { renders: { resolutions: number; shown: string[] }[]; outsideRender: number };
    const shown = ['called render-test', 'prefetched render-test', 'signed in as render-test'];
    // Three consumers, one resolution; the next render (the next request) resolves again.
    expect(out.renders).toEqual([
      { resolutions: 1, shown },
      { resolutions: 1, shown },
    ]);
    // Outside a render there is no request to share: each call is its own.
    expect(out.outsideRender).toBe(2);
  });
});
