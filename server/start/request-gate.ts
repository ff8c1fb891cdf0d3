/**
 * The first look at every request, in the custom server before Next sees it (main.ts):
 * requests Next would answer with a 500, or that nothing in the console needs, get a short
 * plain JSON answer here instead.
 *
 * - Methods: GET, HEAD and POST only (pages need GET/HEAD, tRPC GET/POST, sign-in and
 *   sign-out POST); anything else is 405 with `Allow: GET, HEAD, POST`. OPTIONS is refused
 *   as well: the console answers no cross-origin (CORS) requests, so a preflight fails.
 * - The request target must be a path (`/…`): absolute-form and `*` are 400, and so is a
 *   path with broken percent-encoding.
 * - The image optimiser (`/_next/image`) is 404: the console has no images to optimise.
 * - Bodies: at most MAX_BODY_BYTES. A Content-Length above it is 413, one that is not a
 *   number is 400; a body without Content-Length (chunked) is counted as it arrives
 *   (holdBody) and refused with 413 once over, before Next is given the request.
 * - A refused body up to MAX_DRAIN_BYTES is read to its end (and dropped) before the
 *   answer: a client still sending when the server closes gets EPIPE/ECONNRESET and never
 *   sees the 413 (the fuzz found fetch doing exactly that with a 2 MB body). Past that
 *   size, or MAX_DRAIN_MS, the answer goes out at once and the connection is closed.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST'] as const;
/** 1 MiB: the largest tRPC batch of mutations the console sends is a few kilobytes. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How much of a refused body is read (and dropped) so that its sender sees the answer. */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
export const MAX_DRAIN_MS = 5000;

export type Refusal = { status: number; headers: Record<string, string>; body: string };
export type GateVerdict = { action: 'pass'; countBody: boolean } | ({ action: 'refuse'; drain?: boolean } & Refusal);

const refusal = (status: number, message: string, headers: Record<string, string> = {}): { action: 'refuse' } & Refusal => ({
  action: 'refuse',
  status,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    ...headers,
  },
  body: `${JSON.stringify({ error: { message } })}\n`,
});

export const TOO_LARGE = refusal(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`, { connection: 'close' });

export function gateRequest(req: { method?: string; url?: string; headers: IncomingHttpHeaders }): GateVerdict {
  const method = (req.method ?? '').toUpperCase();
  if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
    return refusal(405, `Method not allowed: use ${ALLOWED_METHODS.join(', ')}.`, { allow: ALLOWED_METHODS.join(', ') });
  }
  const target = req.url ?? '';
  if (!target.startsWith('/')) return refusal(400, 'The request target must be a path.', { connection: 'close' });
  const rawPath = target.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return refusal(400, 'The request path is not valid percent-encoding.');
  }
  // The path as Next's router would see it after its own clean-up: `\` is `/`, repeated and trailing slashes fold.
  const folded = path.replace(/[\\/]+/g, '/').replace(/(.)\/$/, '$1');
  if (folded === '/_next/image' || folded.startsWith('/_next/image/')) return refusal(404, 'Not found.');

  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (length !== undefined) {
    if (chunked || !/^\d+$/.test(length)) return refusal(400, 'Content-Length must be a number of bytes.', { connection: 'close' });
    if (Number(length) > MAX_BODY_BYTES) return { ...TOO_LARGE, drain: Number(length) <= MAX_DRAIN_BYTES };
    return { action: 'pass', countBody: false };
  }
  return { action: 'pass', countBody: chunked };
}

/**
 * main.ts's request callback around Next's handler: the gate's verdict, the body counted
 * when it has no Content-Length, and refusals answered so that their sender sees them.
 */
export function serveGated(req: IncomingMessage, res: ServerResponse, handle: (req: IncomingMessage, res: ServerResponse) => unknown): void {
  const gate = gateRequest(req);
  if (gate.action === 'refuse') {
    if (gate.drain) refuseAfterBody(req, res, gate);
    else sendRefusal(res, gate);
    return;
  }
  if (!gate.countBody) {
    void handle(req, res);
    return;
  }
  holdBody(req, MAX_BODY_BYTES, (tooLarge) => (tooLarge ? sendRefusal(res, TOO_LARGE) : void handle(req, res)));
}

/** Reads a refused body to its end (at most MAX_DRAIN_BYTES, MAX_DRAIN_MS), then answers. */
function refuseAfterBody(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  let bytes = 0;
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    req.removeAllListeners('data');
    sendRefusal(res, refusal);
  };
  const timer = setTimeout(answer, MAX_DRAIN_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.byteLength;
    if (bytes > MAX_DRAIN_BYTES) answer();
  });
  req.once('end', answer);
  req.once('error', answer);
}

/**
 * A body without Content-Length, counted before Next reads it: the chunks the HTTP parser
 * pushes into the request are held back (at most `limit` bytes) until the body is complete,
 * then handed on in order, and `done(false)` runs with the request intact; once over the
 * limit the rest is dropped and `done(true)` runs, so the caller answers 413 without Next.
 * (Node's parser feeds an IncomingMessage through push(); Next's own body cloning for the
 * proxy relies on the same stream internals.)
 * The request stream has emitted nothing before `done`, so Next reads it as it always does.
 */
export function holdBody(req: Readable, limit: number, done: (tooLarge: boolean) => void): void {
  const push = req.push.bind(req);
  const held: { chunk: unknown; encoding?: BufferEncoding }[] = [];
  let bytes = 0;
  let over = false;
  let finished = false;
  let drainTimer: NodeJS.Timeout | undefined;
  // Not from inside the HTTP parser's callback.
  const finish = (tooLarge: boolean) => {
    if (finished) return;
    finished = true;
    clearTimeout(drainTimer);
    process.nextTick(done, tooLarge);
  };
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null) {
      if (over) {
        finish(true);
        return false;
      }
      delete (req as { push?: unknown }).push;
      for (const h of held) push(h.chunk, h.encoding);
      push(null);
      finish(false);
      return false;
    }
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : (chunk as Uint8Array).byteLength;
    if (over) {
      if (bytes > limit + MAX_DRAIN_BYTES) finish(true);
      return true;
    }
    if (bytes > limit) {
      // Dropped from here on; the 413 waits for the end of the body, so that its sender
      // is still listening (MAX_DRAIN_BYTES, MAX_DRAIN_MS).
      over = true;
      held.length = 0;
      drainTimer = setTimeout(() => finish(true), MAX_DRAIN_MS);
      drainTimer.unref();
      return true;
    }
    held.push({ chunk, encoding });
    return true;
  };
}

/** Writes a refusal (a HEAD gets the headers only, as Node does for every HEAD). */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(refusal.status, { ...refusal.headers, 'content-length': String(Buffer.byteLength(refusal.body)) });
  res.end(refusal.body);
}
