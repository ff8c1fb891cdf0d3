/**
 * Two server renders of a console page, for trpc-render.test.ts. Run as Next runs server
 * components, with React's server build (`node --conditions=react-server --import tsx`),
 * where `cache` lasts one render. The page uses app/_trpc/server.tsx itself: the layout
 * asks who is signed in (requestPrincipal), one component prefetches auth.me, another
 * calls it through the server caller. Every principal resolution is counted.
 *
 * What Next's bundler would do, done here with a module hook: next/headers gives the
 * request's headers; @tanstack/react-query is the part a server component runs (its
 * 'use client' half would be a client reference there); server/auth/principal.ts counts
 * and answers a viewer, so nothing needs a database.
 *
 * Prints one JSON line: per render, the resolutions and what the three components showed;
 * and the resolutions of two requestPrincipal() calls outside a render.
 */
import { createRequire, register } from 'node:module';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { ReactNode } from 'react';

const require = createRequire(import.meta.url);
const js = (code: string) => `data:text/javascript,${encodeURIComponent(code)}`;
const queryCore = pathToFileURL(require.resolve('@tanstack/query-core')).href;
const stubs = {
  '@tanstack/react-query': js(
    `export * from ${JSON.stringify(queryCore)}; export const queryOptions = (o) => o; export const infiniteQueryOptions = (o) => o; export const HydrationBoundary = () => null;`,
  ),
  'next/headers': js(`export async function headers() { return new Headers({ authorization: 'Bearer cellar_render_test' }); }`),
};
const principal = js(
  `export async function resolvePrincipal() { globalThis.__resolutions = (globalThis.__resolutions ?? 0) + 1; return { principal: { kind: 'token', name: 'render-test', role: 'viewer' } }; }`,
);
register(
  js(`const stubs = ${JSON.stringify(stubs)};
export async function resolve(specifier, context, next) {
  if (specifier in stubs) return { url: stubs[specifier], shortCircuit: true };
  const r = await next(specifier, context);
  return r.url.endsWith('/server/auth/principal.ts') ? { url: ${JSON.stringify(principal)}, shortCircuit: true } : r;
}`),
);
// Nothing here opens a database; the handles made on the way (lazily) never connect.
process.env.CELLAR_API_DATABASE_URL ??= 'postgresql://nobody@127.0.0.1:9/none';

const { createElement: h } = await import('react');
const { caller, getQueryClient, requestPrincipal, trpc } = await import('@/app/_trpc/server');
// React's server renderer (Flight), as Next ships it.
const { renderToPipeableStream } = require('next/dist/compiled/react-server-dom-webpack/server.node') as {
  renderToPipeableStream: (model: ReactNode, webpackMap: object, opts: { onError: (e: unknown) => void }) => { pipe: (w: Writable) => void };
};

const resolutions = () => (globalThis as { __resolutions?: number }).__resolutions ?? 0;

async function Layout({ children }: { children: ReactNode }) {
  const who = await requestPrincipal();
  return h('main', null, h('p', null, 'principal' in who ? `signed in as ${who.principal.name}` : 'nobody'), children);
}
async function Prefetched() {
  await getQueryClient().prefetchQuery(trpc.auth.me.queryOptions());
  const me = getQueryClient().getQueryData(trpc.auth.me.queryKey()) as { name: string } | undefined;
  return h('p', null, `prefetched ${me?.name}`);
}
async function Called() {
  return h('p', null, `called ${(await caller.auth.me()).name}`);
}

function render(): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += chunk;
        done();
      },
      final(done) {
        resolve(out);
        done();
      },
    });
    renderToPipeableStream(h(Layout, null, h(Prefetched), h(Called)), {}, { onError: reject }).pipe(sink);
  });
}

const renders: { resolutions: number; shown: string[] }[] = [];
for (let i = 0; i < 2; i++) {
  const before = resolutions();
  const text = await render();
  const shown = [...text.matchAll(/"children":"((?:signed in as|prefetched|called) [^"]*)"/g)].map((m) => m[1]!).sort();
  renders.push({ resolutions: resolutions() - before, shown });
}
const before = resolutions();
await requestPrincipal();
await requestPrincipal();
process.stdout.write(`${JSON.stringify({ renders, outsideRender: resolutions() - before })}\n`);
