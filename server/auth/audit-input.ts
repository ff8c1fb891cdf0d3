/**
 * What an audit row says about an input: its target (the cell, host, instance, user or
 * token acted on) and a summary with every secret removed: password/secret/token fields
 * dropped, URL passwords masked with maskUrl, long values cut.
 */
import { maskUrl } from '@/db/url';
import { PROTOTYPE_KEYS, storableText } from '../input-guard';

const SECRET_KEY = /pass(word)?|secret|token|credential|api[-_]?key|private/i;
/** Keys naming a token or a user are not secrets themselves. */
const NOT_SECRET_KEY = /^(name|tokenName|token_name|id|tokenId|role)$/;
const URL_KEY = /url|connection|dsn/i;
const MAX_STRING = 300;
const MAX_ITEMS = 20;
const MAX_KEYS = 40;
/** What one row's input may take in the database, as JSON text. */
export const MAX_AUDIT_INPUT_BYTES = 8_000;

/** A prefix of the text that is still storable (a cut can split a UTF-16 pair). */
const cut = (s: string, n: number) => storableText(s.slice(0, n));

function looksLikeUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /:[^\s/]*@/.test(s);
}

function summarizeValue(key: string, value: unknown, depth: number): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value ?? null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') {
    const text = storableText(value);
    const shown = URL_KEY.test(key) || looksLikeUrl(text) ? (maskUrl(text) ?? '') : text;
    return shown.length > MAX_STRING ? `${cut(shown, MAX_STRING)}… (${shown.length} characters)` : shown;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth > 4) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => summarizeValue(key, v, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… and ${value.length - MAX_ITEMS} more`] : items;
  }
  if (typeof value === 'object') return summarizeObject(value as Record<string, unknown>, depth + 1);
  return cut(String(value), MAX_STRING);
}

/**
 * Plain JSON data only: keys that could reach a prototype are dropped (superjson refuses
 * to serialise an object holding one, which would break every page of the audit list),
 * keys are storable text, and there are at most MAX_KEYS of them.
 */
function summarizeObject(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(obj);
  for (const k of keys.slice(0, MAX_KEYS)) {
    if (PROTOTYPE_KEYS.has(k) || (SECRET_KEY.test(k) && !NOT_SECRET_KEY.test(k))) continue;
    const key = cut(k, 100);
    if (PROTOTYPE_KEYS.has(key)) continue;
    out[key] = summarizeValue(k, obj[k], depth);
  }
  if (keys.length > MAX_KEYS) out['…'] = `${keys.length - MAX_KEYS} more fields`;
  return out;
}

/**
 * What an audit row keeps of an input: plain JSON (see summarizeObject), secrets removed,
 * every string storable, within MAX_AUDIT_INPUT_BYTES. Also applied to rows as they are
 * read, so a row stored before these rules cannot break the list either.
 */
export function summarizeInput(input: unknown): Record<string, unknown> {
  let out: Record<string, unknown>;
  try {
    if (input === undefined || input === null) out = {};
    else if (typeof input !== 'object' || Array.isArray(input)) out = { value: summarizeValue('value', input, 0) };
    else out = summarizeObject(input as Record<string, unknown>, 0);
  } catch {
    // A getter that throws, a proxy: not data.
    return { unreadable: 'the input could not be read as data' };
  }
  const size = JSON.stringify(out).length;
  if (size <= MAX_AUDIT_INPUT_BYTES) return out;
  return { truncated: `the input was ${size} characters as JSON; its fields were ${Object.keys(out).slice(0, 20).join(', ')}` };
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? cut(v.trim(), MAX_STRING) : null);

function many(kind: string, values: unknown): string | null {
  if (!Array.isArray(values) || values.length === 0) return null;
  const shown = values
    .filter((v): v is string => typeof v === 'string')
    .slice(0, 5)
    .map((v) => cut(v, 80));
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
  const masked = storableText(text).replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (u) => maskUrl(u) ?? '****');
  return masked.length > 1000 ? `${cut(masked, 1000)}…` : masked;
}
