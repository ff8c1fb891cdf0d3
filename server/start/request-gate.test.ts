/**
 * The custom server's first look at a request: the pure decision, then the same
 * composition as main.ts's createServer callback on a real node:http server (a stand-in
 * for Next that reads the body), so the body counting meets Node's own HTTP parser.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateRequest, MAX_BODY_BYTES, MAX_DRAIN_BYTES, serveGated } from './request-gate';

const gate = (method: string, url: string, headers: http.IncomingHttpHeaders = {}) => gateRequest({ method, url, headers });
const PASS = { action: 'pass', countBody: false };

describe('the request gate (pure)', () => {
  it('lets GET, HEAD and POST through', () => {
    for (const m of ['GET', 'HEAD', 'POST']) expect(gate(m, '/hosts'), m).toEqual(PASS);
    expect(gate('POST', '/api/trpc/cells.delete', { 'content-length': '42' })).toEqual(PASS);
  });

  it('answers every other method 405 with Allow: GET, HEAD, POST and a plain JSON message', () => {
    for (const m of [
      'TRACE',
      'TRACK',
      'PUT',
      'DELETE',
      'PATCH',
      'PROPFIND',
      'PROPPATCH',
      'MKCOL',
      'COPY',
      'MOVE',
      'LOCK',
      'CONNECT',
      'OPTIONS',
      'SEARCH',
      'QUERY',
      '',
    ]) {
      for (const path of ['/', '/hosts', '/api/trpc/cells.list', '/api/auth/sign-in/username', '/_next/static/x.js', '/nope']) {
        const v = gate(m, path);
        expect(v, `${m} ${path}`).toMatchObject({ action: 'refuse', status: 405, headers: { allow: 'GET, HEAD, POST' } });
      }
    }
    const v = gate('TRACE', '/');
    if (v.action !== 'refuse') throw new Error('expected a refusal');
    expect(v.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(v.body)).toEqual({ error: { message: 'Method not allowed: use GET, HEAD, POST.' } });
  });

  it('refuses a request target that is not a path, and broken percent-encoding: 400', () => {
    for (const url of ['*', 'http://evil.example/', 'evil.example:443', '', '/%', '/%E0%A4%A', '/hosts%zz']) {
      expect(gate('GET', url), JSON.stringify(url)).toMatchObject({ action: 'refuse', status: 400 });
    }
    expect(gate('GET', '/hosts?q=%')).toEqual(PASS); // the query is the page's business
  });

  it('answers the image optimiser 404 however its path is written', () => {
    for (const url of [
      '/_next/image',
      '/_next/image?url=%2Fetc%2Fpasswd&w=64&q=75',
      '/_next/image?url=/package.json&w=16&q=1',
      '/_next/image/',
      '/_next//image',
      '//_next/image',
      '/_next\\image',
      '/_next/%69mage?url=x',
      '/_next%2Fimage',
      '/_next/image/x',
    ]) {
      expect(gate('GET', url), url).toMatchObject({ action: 'refuse', status: 404 });
    }
    expect(gate('GET', '/_next/static/chunks/main.js')).toEqual(PASS);
    expect(gate('GET', '/_next/images-of-nothing')).toEqual(PASS);
  });

  it(`bounds the body: a Content-Length above ${MAX_BODY_BYTES} is 413, one that is not a number 400`, () => {
    expect(gate('POST', '/api/trpc/x', { 'content-length': String(MAX_BODY_BYTES) })).toEqual(PASS);
    expect(gate('POST', '/api/trpc/x', { 'content-length': '0' })).toEqual(PASS);
    for (const huge of [String(MAX_BODY_BYTES + 1), '1073741824', '99999999999999999999', '9'.repeat(400), '0001048577']) {
      expect(gate('POST', '/api/trpc/x', { 'content-length': huge }), huge).toMatchObject({ action: 'refuse', status: 413, headers: { connection: 'close' } });
    }
    expect(gate('GET', '/', { 'content-length': '5000000' })).toMatchObject({ status: 413 });
    for (const bad of ['abc', '-1', '1e6', '0x10', '+5', '5, 5', '5.0', '', ' ', 'Infinity', 'NaN']) {
      expect(gate('POST', '/api/trpc/x', { 'content-length': bad }), JSON.stringify(bad)).toMatchObject({ action: 'refuse', status: 400 });
    }
    expect(gate('POST', '/api/trpc/x', { 'content-length': '5', 'transfer-encoding': 'chunked' })).toMatchObject({ status: 400 });
  });

  it('has a body without Content-Length counted as it arrives', () => {
    expect(gate('POST', '/api/trpc/x', { 'transfer-encoding': 'chunked' })).toEqual({ action: 'pass', countBody: true });
  });

  it(`reads a refused body up to ${MAX_DRAIN_BYTES} bytes before answering, so that its sender sees the 413`, () => {
    expect(gate('POST', '/api/trpc/x', { 'content-length': String(MAX_BODY_BYTES + 1) })).toMatchObject({ status: 413, drain: true });
    expect(gate('POST', '/api/trpc/x', { 'content-length': String(MAX_DRAIN_BYTES) })).toMatchObject({ status: 413, drain: true });
    expect(gate('POST', '/api/trpc/x', { 'content-length': String(MAX_DRAIN_BYTES + 1) })).toMatchObject({ status: 413, drain: false });
  });
});

/** main.ts's callback around a stand-in for Next that answers with what it read. */
let server: http.Server;
let port = 0;
let handled: string[] = [];

beforeAll(async () => {
  const next = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    handled.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const answer = JSON.stringify({ bytes: body.length, head: body.subarray(0, 16).toString(), tail: body.subarray(-16).toString() });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  };
  server = http.createServer((req, res) => serveGated(req, res, next));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Raw HTTP/1.1 over a socket: what curl or a hostile client can send. */
function raw(head: string, body: Buffer[] = []): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.on('error', () => {}); // the server may close while we still send: the answer is already in
    socket.on('close', () => {
      const text = Buffer.concat(got).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [headers = '', rest = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(m[1]), headers, body: rest });
    });
    socket.write(head);
    for (const b of body) socket.write(b);
  });
}

function chunked(total: number, size = 64 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let sent = 0; sent < total; sent += size) {
    const n = Math.min(size, total - sent);
    out.push(Buffer.from(`${n.toString(16)}\r\n`), Buffer.alloc(n, 0x61), Buffer.from('\r\n'));
  }
  out.push(Buffer.from('0\r\n\r\n'));
  return out;
}

describe('the gate in front of a node:http handler (as in main.ts)', () => {
  it('answers TRACE, PUT, DELETE and PROPFIND 405 with Allow, without reaching the handler', async () => {
    handled = [];
    for (const m of ['TRACE', 'PUT', 'DELETE', 'PROPFIND', 'OPTIONS']) {
      const res = await raw(`${m} /hosts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(res.status, m).toBe(405);
      expect(res.headers.toLowerCase()).toContain('allow: get, head, post');
      expect(JSON.parse(res.body)).toEqual({ error: { message: 'Method not allowed: use GET, HEAD, POST.' } });
    }
    expect(handled).toEqual([]);
  });

  it('answers a huge Content-Length 413 before reading the body, and /_next/image 404', async () => {
    handled = [];
    const big = await raw(
      `POST /api/trpc/cells.delete HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MAX_DRAIN_BYTES * 4}\r\n\r\n`,
      [Buffer.from('{"x":')],
    );
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ error: { message: `The request body is larger than ${MAX_BODY_BYTES} bytes.` } });
    const img = await raw('GET /_next/image?url=%2Fetc%2Fpasswd&w=64&q=75 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(img.status).toBe(404);
    expect(handled).toEqual([]);
  });

  it('hands a chunked body within the limit to the handler whole, byte for byte', async () => {
    handled = [];
    const res = await raw(
      'POST /api/trpc/cells.delete HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      chunked(MAX_BODY_BYTES, 100_000),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ bytes: MAX_BODY_BYTES, head: 'a'.repeat(16), tail: 'a'.repeat(16) });
    expect(handled).toEqual(['POST /api/trpc/cells.delete']);

    const small = await raw('POST /api/auth/sign-in/username HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n', [
      Buffer.from('7\r\n{"a":1}\r\n0\r\n\r\n'),
    ]);
    expect(JSON.parse(small.body)).toEqual({ bytes: 7, head: '{"a":1}', tail: '{"a":1}' });
  });

  it('answers a chunked body over the limit 413 and never gives it to the handler', async () => {
    handled = [];
    const res = await raw('POST /api/trpc/cells.delete HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', chunked(MAX_BODY_BYTES + 1));
    expect(res.status).toBe(413);
    expect(res.headers.toLowerCase()).toContain('connection: close');
    expect(handled).toEqual([]);
  });

  it('answers a body a little over the limit 413 to a fetch still sending it (not EPIPE), with Content-Length or chunked', async () => {
    handled = [];
    const body = JSON.stringify({ json: { name: 'x'.repeat(2 * MAX_BODY_BYTES) } });
    const sized = await fetch(`http://127.0.0.1:${port}/api/trpc/boot.schedule`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(sized.status).toBe(413);
    expect(await sized.json()).toEqual({ error: { message: `The request body is larger than ${MAX_BODY_BYTES} bytes.` } });
    // A stream body goes out chunked, without Content-Length: counted as it arrives.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new Uint8Array(64 * 1024).fill(0x61));
        c.close();
      },
    });
    const streamed = await fetch(`http://127.0.0.1:${port}/api/trpc/boot.schedule`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(handled).toEqual([]);
  });

  it('keeps working for ordinary requests afterwards', async () => {
    const res = await raw('POST /api/trpc/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ bytes: 2 });
  });
});
