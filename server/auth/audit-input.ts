/**
 * What an audit row says about an input: its target (the cell, host, instance, user or
 * token acted on) and a summary with every secret removed: password/secret/token fields
 * dropped, URL passwords masked with maskUrl, long values cut.
 */
import { maskUrl } from '@/db/url';

const SECRET_KEY = /pass(word)?|secret|token|credential|api[-_]?key|private/i;
/** Keys naming a token or a user are not secrets themselves. */
const NOT_SECRET_KEY = /^(name|tokenName|token_name|id|tokenId|role)$/;
const URL_KEY = /url|connection|dsn/i;
const MAX_STRING = 300;
const MAX_ITEMS = 20;

function looksLikeUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /:[^\s/]*@/.test(s);
}

function summarizeValue(key: string, value: unknown, depth: number): unknown {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number') return value ?? null;
  if (typeof value === 'string') {
    const shown = URL_KEY.test(key) || looksLikeUrl(value) ? (maskUrl(value) ?? '') : value;
    return shown.length > MAX_STRING ? `${shown.slice(0, MAX_STRING)}… (${shown.length} characters)` : shown;
  }
  if (value instanceof Date) return value.toISOString();
  if (depth > 4) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => summarizeValue(key, v, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… and ${value.length - MAX_ITEMS} more`] : items;
  }
  if (typeof value === 'object') return summarizeObject(value as Record<string, unknown>, depth + 1);
  return String(value);
}

function summarizeObject(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (SECRET_KEY.test(k) && !NOT_SECRET_KEY.test(k)) continue;
    out[k] = summarizeValue(k, v, depth);
  }
  return out;
}

export function summarizeInput(input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) return { value: summarizeValue('value', input, 0) };
  return summarizeObject(input as Record<string, unknown>, 0);
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

function many(kind: string, values: unknown): string | null {
  if (!Array.isArray(values) || values.length === 0) return null;
  const shown = values.filter((v): v is string => typeof v === 'string').slice(0, 5);
  return `${kind}${values.length === 1 ? '' : 's'} ${shown.join(', ')}${values.length > shown.length ? ` (+${values.length - shown.length} more)` : ''}`;
}

/**
 * The target named by an input. `uuid` means a cell under cells.* (and the reveal of a
 * cell's URLs) and an instance elsewhere; the explicit keys mean what they say.
 */
export function auditTarget(action: string, input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const i = input as Record<string, unknown>;
  const parts: string[] = [];
  const cell = str(i.cellUuid) ?? str(i.cell_uuid) ?? (/^(cells\.|auth\.revealUrls)/.test(action) ? str(i.uuid) : null);
  if (cell) parts.push(`cell ${cell}`);
  const host = str(i.host);
  if (host) parts.push(`host ${host}`);
  const instance = str(i.instanceUuid) ?? (!cell && !/^(auth\.|user )/.test(action) ? str(i.uuid) : null);
  if (instance) parts.push(`instance ${instance}`);
  const instances = many('instance', i.uuids) ?? many('instance', i.instanceUuids);
  if (instances) parts.push(instances);
  if (/^auth\.users\.|^user /.test(action)) {
    const user = str(i.username) ?? str(i.name);
    if (user) parts.push(`user ${user}`);
  }
  if (/^auth\.tokens\./.test(action)) {
    const token = str(i.name) ?? (typeof i.id === 'number' ? `#${i.id}` : null);
    if (token) parts.push(`token ${token}`);
  }
  return parts.length ? parts.join('; ') : null;
}

/** A free-text reason (an error message, a CLI's last line) with any URL in it masked. */
export function maskText(text: string): string {
  const masked = text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (u) => maskUrl(u) ?? '****');
  return masked.length > 1000 ? `${masked.slice(0, 1000)}…` : masked;
}
