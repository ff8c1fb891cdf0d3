/**
 * Fault text normalisation, written once: what varies per instance (uuids, ids, quoted
 * names, numbers) is taken out so that the same failure reads the same everywhere. The
 * database only ever gets a regular expression derived from a normalised text
 * (`groupPrefilter`), which matches at least every message of that group; the exact test
 * is always `normaliseFault(message) === key`, in TypeScript.
 */

/** The group of instances that have no live fault row at all. */
export const NO_FAULT_KEY = '(no fault recorded)';

const UUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
/** Keystone project/user ids and request ids without dashes. */
const HEX_ID = /\b[0-9a-fA-F]{32}\b/g;
// A quote opens after a boundary and closes before one, so "can't" or "instance's" stay intact.
const SINGLE_QUOTED = /(^|[\s([{:=,])'[^'\n]*'(?=$|[\s)\]},.;:!?])/g;
const DOUBLE_QUOTED = /(^|[\s([{:=,])"[^"\n]*"(?=$|[\s)\]},.;:!?])/g;
// Only numbers standing alone: digits inside a host name (cell1-cmp-099.dc1) or an
// address are part of a name, and what differs there is worth seeing.
const NUMBER = /(?<![\w.-])\d+(?:\.\d+)?(?![\w-]|\.\w)/g;

/**
 * A fault message with what varies per instance taken out: uuids, 32-hex ids, quoted
 * names and numbers become <uuid>, <id>, <name> and <n>; whitespace is collapsed.
 */
export function normaliseFault(message: string | null | undefined): string {
  if (message === null || message === undefined) return NO_FAULT_KEY;
  const out = message
    .replace(UUID, '<uuid>')
    .replace(HEX_ID, '<id>')
    .replace(SINGLE_QUOTED, '$1<name>')
    .replace(DOUBLE_QUOTED, '$1<name>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
  return out;
}

const TOKEN_PATTERNS: Record<string, string> = {
  '<uuid>': '(<uuid>|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})',
  '<id>': '(<id>|[0-9a-fA-F]{32})',
  '<name>': `(<name>|'[^']*'|"[^"]*")`,
  '<n>': '(<n>|[0-9]+(\\.[0-9]+)?)',
};

function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A PostgreSQL (ARE) regular expression that every message normalising to `key`
 * matches, for narrowing the rows in SQL before the exact test in TypeScript.
 */
export function groupPrefilter(key: string): string {
  const parts = key.split(/(<uuid>|<id>|<name>|<n>)/);
  const body = parts.map((p) => TOKEN_PATTERNS[p] ?? escapeRegex(p).replace(/ /g, '\\s+')).join('');
  return `^\\s*${body}\\s*$`;
}
