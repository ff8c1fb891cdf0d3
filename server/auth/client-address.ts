/**
 * The address a request came from, for the sign-in limit per address. Cellar's server
 * writes the socket's peer address into x-cellar-peer (replacing anything a client sent);
 * behind load balancers, CELLAR_TRUSTED_PROXY_HOPS = N takes the N-th X-Forwarded-For
 * entry from the right, the one the outermost trusted proxy saw.
 */
export const PEER_HEADER = 'x-cellar-peer';

/**
 * CELLAR_TRUSTED_PROXY_HOPS: how many proxies in front of Cellar are trusted to set the
 * X-Forwarded-* headers (0, the default: none, the client talks to Cellar directly). The
 * one reading of the setting, for this file and the Origin check (web-guard.ts).
 */
export function trustedProxyHops(env: Record<string, string | undefined> = process.env): number {
  const hops = Number.parseInt(env.CELLAR_TRUSTED_PROXY_HOPS ?? '0', 10);
  return Number.isFinite(hops) && hops > 0 ? hops : 0;
}

export function clientAddress(headers: Headers, env: Record<string, string | undefined> = process.env): string {
  const hops = trustedProxyHops(env);
  const peer = headers.get(PEER_HEADER)?.trim() || null;
  if (hops > 0) {
    const chain = (headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const seen = chain[chain.length - hops];
    if (seen) return seen.slice(0, 64);
  }
  return (peer ?? 'unknown').slice(0, 64);
}
