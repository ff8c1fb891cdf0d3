/**
 * GET /api/cell0/export?format=csv|json&uuid=…&uuid=… (or the list's filters): the fault
 * evidence of cell0 instances as a download. Read-only. It goes through the tRPC caller so
 * the procedure's role (support), its input validation and its error shaping apply here too.
 */
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { createCaller } from '@/server/root';
import { createContext } from '@/server/trpc';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const url = new URL(request.url);
  const p = url.searchParams;
  const uuids = p.getAll('uuid');
  const filters = Object.fromEntries(['fault', 'flavor', 'project', 'group'].flatMap((k) => (p.get(k) ? [[k, p.get(k)]] : [])));
  const input = {
    format: p.get('format') ?? 'csv',
    sort: p.get('sort') ?? undefined,
    ...(uuids.length ? { uuids } : { filters }),
  };
  try {
    const caller = createCaller(await createContext({ headers: request.headers }));
    // The caller validates `input` with the procedure's own schema.
    const out = await caller.triage.cell0.export(input as Parameters<typeof caller.triage.cell0.export>[0]);
    const headers: Record<string, string> = {
      'content-type': out.contentType,
      'content-disposition': `attachment; filename="${out.filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    };
    if (out.missingCells.length) headers['x-cellar-missing-cells'] = out.missingCells.map((c) => c.uuid).join(',');
    return new Response(out.body, { status: 200, headers });
  } catch (e) {
    // Messages are the procedures' plain ones (an unexpected failure is already logged and hidden).
    const err = e instanceof TRPCError ? e : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Export failed; the details are in the server log.' });
    return new Response(`${err.message}\n`, {
      status: getHTTPStatusCodeFromError(err),
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
}
