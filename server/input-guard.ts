/**
 * The one input guard at the boundary, for every tRPC procedure and every CLI verb, before
 * any schema or database sees the input: what no Cellar input may hold, whatever the
 * procedure. Per-field rules (a uuid, a name of at most 255 characters) stay in each
 * contract's zod schema; this guard keeps out what would otherwise reach PostgreSQL or
 * the audit log as an error: characters PostgreSQL cannot store in text or jsonb (NUL,
 * unpaired surrogates), keys that could reach a prototype, unbounded strings, arrays,
 * objects and nesting. Browser-safe: pure functions, no imports.
 */

/** NUL, and UTF-16 surrogates without their pair: PostgreSQL refuses both in text and jsonb. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this looks for.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Keys that name an object's prototype machinery: never data. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const INPUT_LIMITS = {
  /** Longer than any field Cellar takes (cell URLs are at most a few KiB). */
  maxStringLength: 10_000,
  /** The largest list a procedure takes is 1,000 uuids. */
  maxArrayLength: 1_000,
  maxObjectKeys: 50,
  maxDepth: 8,
} as const;

export function hasUnstorable(s: string): boolean {
  return UNSTORABLE.test(s);
}

/** The text with every character PostgreSQL cannot store replaced by U+FFFD. */
export function storableText(s: string): string {
  return s.replace(UNSTORABLE_ALL, '\ufffd');
}

export interface InputRefusal {
  /** The field, as a dotted path ("uuids.3", "input" for the whole input). */
  field: string;
  /** One plain line naming the field. */
  message: string;
}

const fieldName = (path: (string | number)[]) => (path.length ? path.join('.') : 'input');

/** Why the input may not pass, or null when it may. Iterative, so no nesting can exhaust the stack. */
export function guardInput(input: unknown, limits: typeof INPUT_LIMITS = INPUT_LIMITS): InputRefusal | null {
  try {
    return walk(input, limits);
  } catch {
    // A value no JSON client sends (the fuzz found a sparse array superjson can build whose keys cannot be listed).
    return { field: 'input', message: 'input: not a value Cellar takes' };
  }
}

function walk(input: unknown, limits: typeof INPUT_LIMITS): InputRefusal | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: input, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    const field = fieldName(path);
    if (path.length > limits.maxDepth) return { field, message: `${field}: nested too deeply (at most ${limits.maxDepth} levels)` };
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength) return { field, message: `${field}: too long (at most ${limits.maxStringLength} characters)` };
      if (hasUnstorable(value)) return { field, message: `${field}: holds a character that cannot be stored (NUL or a broken UTF-16 pair)` };
      continue;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { field, message: `${field}: must be a finite number` };
      continue;
    }
    if (value === null || value === undefined || typeof value === 'boolean' || value instanceof Date) continue;
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) return { field, message: `${field}: too many items (at most ${limits.maxArrayLength})` };
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
      continue;
    }
    if (typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length > limits.maxObjectKeys) return { field, message: `${field}: too many fields (at most ${limits.maxObjectKeys})` };
      for (const key of keys) {
        const at = fieldName([...path, key]);
        if (PROTOTYPE_KEYS.has(key)) return { field: at, message: `${at}: this field name is not allowed` };
        if (key.length > 200 || hasUnstorable(key)) return { field: field, message: `${field}: holds a field name that is not allowed` };
        stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
      }
      continue;
    }
    // Functions, symbols, bigints: nothing a JSON or superjson client sends for Cellar's inputs.
    return { field, message: `${field}: not a value Cellar takes (${typeof value})` };
  }
  return null;
}
