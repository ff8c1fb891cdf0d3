/**
 * The search box of every list: `cell:cell1 project:abc host:cmp-1 fault:"No valid host"
 * status:ERROR` plus free text, parsed into the same URL state the list's fields use, and
 * written back from it (browser-safe, pure).
 *
 * A value with spaces is quoted ("…", with \" and \\ inside); a key the list does not know
 * is an error that names the keys it knows, never silently free text.
 */

export interface KeyValueQuery {
  /** Key (lower case) → value, the last one winning when a key is given twice. */
  fields: Record<string, string>;
  /** What is left: words that are not key:value, joined by one space. */
  free: string;
}

export type KeyValueParse = ({ ok: true } & KeyValueQuery) | { ok: false; error: string };

/** One token: key:"quoted value", key:value, "quoted free text" or a free word. */
const TOKEN = /\s*(?:([A-Za-z][\w-]*):(?:"((?:[^"\\]|\\.)*)"|(\S*))|"((?:[^"\\]|\\.)*)"|(\S+))/gy;

const unquote = (s: string) => s.replace(/\\(.)/g, '$1');

/**
 * Parse `text` against the keys a list knows (`keys`, lower case; aliases may map several
 * spellings onto one field: pass them all). A key with no value (`host:`) clears nothing
 * and is refused, so a half-typed query never empties a filter by surprise.
 */
export function parseKeyValueQuery(text: string, keys: readonly string[]): KeyValueParse {
  const known = new Set(keys.map((k) => k.toLowerCase()));
  const fields: Record<string, string> = {};
  const free: string[] = [];
  if (text.length > 2000) return { ok: false, error: 'The search is too long (at most 2,000 characters).' };
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let at = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the sticky regex walks the text token by token.
  while ((m = TOKEN.exec(text)) !== null) {
    at = TOKEN.lastIndex;
    const [, key, quoted, bare, quotedFree, word] = m;
    if (key !== undefined) {
      const k = key.toLowerCase();
      if (!known.has(k)) {
        // "https://…" and "10:30" are not keys the user meant: only a word-like key is refused.
        if (bare?.startsWith('//')) {
          free.push(`${key}:${bare}`);
          continue;
        }
        return { ok: false, error: `Unknown key "${key}:". This list searches by ${[...known].map((x) => `${x}:`).join(', ')} and free text.` };
      }
      if (bare?.startsWith('"')) return { ok: false, error: 'A quote is not closed.' };
      const value = quoted !== undefined ? unquote(quoted) : (bare ?? '');
      if (value.trim() === '') return { ok: false, error: `"${key}:" needs a value, e.g. ${key}:something or ${key}:"two words".` };
      fields[k] = value.trim();
    } else if (quotedFree !== undefined) {
      if (quotedFree.trim()) free.push(unquote(quotedFree).trim());
    } else if (word !== undefined) {
      if (word.startsWith('"')) return { ok: false, error: 'A quote is not closed.' };
      free.push(word);
    }
    if (at >= text.length) break;
  }
  if (text.slice(at).trim() !== '') return { ok: false, error: 'A quote is not closed.' };
  return { ok: true, fields, free: free.join(' ') };
}

/** Quote a value when it needs it, so that parsing it again gives it back. */
function quote(value: string): string {
  return /^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The search text for a list's current state: its fields in `keys` order (empty ones left out), then the free text. */
export function formatKeyValueQuery(fields: Record<string, string | null | undefined>, free: string | null | undefined, keys: readonly string[]): string {
  const parts = keys.flatMap((k) => {
    const v = fields[k];
    return v === null || v === undefined || v === '' ? [] : [`${k}:${quote(v)}`];
  });
  if (free?.trim()) parts.push(free.trim());
  return parts.join(' ');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A `cell:` value as the user typed it — a cell's name or its uuid — as the cell's uuid,
 * through the cells of the page's frame. A name two cells share is refused (nova does not
 * keep names unique), and so is one no cell has; a uuid the frame does not hold is taken
 * as typed, for the list to say it was not found.
 */
export function resolveCellValue(
  value: string,
  cells: readonly { uuid: string; name: string | null }[],
): { ok: true; uuid: string } | { ok: false; error: string } {
  const v = value.trim();
  const byUuid = cells.find((c) => c.uuid.toLowerCase() === v.toLowerCase());
  if (byUuid) return { ok: true, uuid: byUuid.uuid };
  const named = cells.filter((c) => c.name === v);
  const matches = named.length > 0 ? named : cells.filter((c) => c.name?.toLowerCase() === v.toLowerCase());
  if (matches.length === 1) return { ok: true, uuid: matches[0]!.uuid };
  if (matches.length > 1) return { ok: false, error: `${matches.length} cells are named "${v}": use the uuid of the one you mean.` };
  if (UUID.test(v)) return { ok: true, uuid: v.toLowerCase() };
  const known = [...new Set(cells.map((c) => c.name).filter((n): n is string => Boolean(n)))].join(', ');
  return { ok: false, error: `No cell is named "${v}".${known ? ` The cells are ${known}.` : ''}` };
}

/** How a cell uuid reads in the search box: the cell's name when no other cell has it, else the uuid. */
export function cellSearchValue(uuid: string | null | undefined, cells: readonly { uuid: string; name: string | null }[]): string | null {
  if (!uuid) return null;
  const cell = cells.find((c) => c.uuid === uuid);
  if (!cell?.name) return uuid;
  return cells.filter((c) => c.name === cell.name).length === 1 ? cell.name : uuid;
}

/** The search of a list of hosts (host mappings, unmapped computes): a cell by name or uuid, a host as `host:` or as free text. */
export const CELL_HOST_SEARCH_KEYS = [
  { key: 'cell', help: 'a cell, by name or uuid' },
  { key: 'host', help: 'host names containing it' },
] as const;

/**
 * A parsed host search as the list's URL state (cell uuid, host text), or the reason it is
 * refused. `refuseCell` may refuse a cell the list cannot show (cell0 holds no computes).
 */
export function cellHostSearch<C extends { uuid: string; name: string | null }>(
  q: KeyValueQuery,
  cells: readonly C[],
  refuseCell?: (cell: C) => string | null,
): { ok: true; cell: string | null; host: string | null } | { ok: false; error: string } {
  if (q.fields.host && q.free) return { ok: false, error: 'Give the host once: as host:… or as free text.' };
  let cell: string | null = null;
  if (q.fields.cell) {
    const r = resolveCellValue(q.fields.cell, cells);
    if (!r.ok) return r;
    const refused = refuseCell?.(cells.find((c) => c.uuid === r.uuid)!);
    if (refused) return { ok: false, error: refused };
    cell = r.uuid;
  }
  return { ok: true, cell, host: q.fields.host || q.free || null };
}

/**
 * A key of a list that comes whole and is searched in the browser (cells, users, tokens):
 * what it matches, and, when it takes only some values, which ones.
 */
export interface WholeListKey<T> {
  key: string;
  help: string;
  /** The only values it takes (compared without case); another is refused in words. */
  values?: readonly string[];
  /** Whether a row matches the value as typed (trimmed). */
  matches: (row: T, value: string) => boolean;
}

/** The first value a whole list's search cannot take, said as the box says it; null when all are fine. */
export function wholeListRefusal<T>(fields: Record<string, string>, keys: readonly WholeListKey<T>[]): string | null {
  for (const k of keys) {
    const v = fields[k.key];
    if (v && k.values && !k.values.some((x) => x.toLowerCase() === v.toLowerCase())) return `${k.key}: is one of ${k.values.join(', ')}.`;
  }
  return null;
}

/** Case-insensitive "contains", the free text's and most keys' match. */
export const containsText = (haystack: string | null | undefined, needle: string) => Boolean(haystack?.toLowerCase().includes(needle.toLowerCase()));

/**
 * The rows a whole list's search leaves: every key given matches, and the free text is in
 * one of the row's searched texts.
 */
export function filterWholeList<T>(
  rows: readonly T[],
  search: { fields: Record<string, string | null | undefined>; free: string | null | undefined },
  keys: readonly WholeListKey<T>[],
  freeTexts: (row: T) => readonly (string | null | undefined)[],
): T[] {
  const given = keys.flatMap((k) => {
    const v = search.fields[k.key]?.trim();
    return v ? [{ k, v }] : [];
  });
  const free = search.free?.trim() ?? '';
  if (given.length === 0 && !free) return [...rows];
  return rows.filter((r) => given.every(({ k, v }) => k.matches(r, v)) && (!free || freeTexts(r).some((t) => containsText(t, free))));
}
