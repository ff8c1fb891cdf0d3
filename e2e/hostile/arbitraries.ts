/**
 * Inputs for the fuzz (fuzz.spec.ts), generated from each procedure's zod schema: values
 * the schema takes, and hostile variants of them: wrong types, boundary and out-of-range
 * numbers, strings PostgreSQL cannot store and huge ones, prototype keys, deep nesting,
 * huge arrays, superjson's special values; and wire bodies that are not valid superjson.
 *
 * The schema is read through zod's own JSON Schema export (z.toJSONSchema, input side), so
 * any procedure added later is fuzzed from what it declares, without a case written for it.
 * What JSON Schema cannot say (dates, bigints, maps, sets) is marked with `x-zod`.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { RawJson } from './wire';

/** The part of JSON Schema z.toJSONSchema writes. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  default?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  'x-zod'?: string;
}

/** A procedure's input schema as JSON Schema, or null when zod cannot say it (fuzzed with hostile values only). */
export function inputJsonSchema(schema: unknown): JsonSchema | null {
  try {
    return z.toJSONSchema(schema as z.ZodType, {
      io: 'input',
      unrepresentable: 'any',
      override: (ctx) => {
        const type = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def?.type;
        if (type === 'date' || type === 'bigint' || type === 'map' || type === 'set') (ctx.jsonSchema as JsonSchema)['x-zod'] = type;
      },
    }) as JsonSchema;
  } catch {
    return null;
  }
}

/** Which HTTP shape the input travels in: a query's input is in the URL (~16 KiB of headers at most), a mutation's in the body. */
export type Carrier = 'url' | 'body';

const UUID_PATTERN = /\{8\}-/;
const INT32 = 2 ** 31 - 1;

function clampInt(min: number | undefined, max: number | undefined): fc.Arbitrary<number> {
  const lo = Math.max(min ?? -INT32 - 1, Number.MIN_SAFE_INTEGER);
  const hi = Math.min(max ?? INT32, Number.MAX_SAFE_INTEGER);
  if (lo > hi) return fc.constant(lo);
  const small = fc.integer({ min: Math.max(lo, -INT32 - 1), max: Math.min(hi, INT32) });
  if (lo >= -INT32 - 1 && hi <= INT32) return small;
  return fc.oneof(
    small,
    fc.constantFrom(lo, hi),
    fc.maxSafeInteger().filter((n) => n >= lo && n <= hi),
  );
}

/** Valid-looking values for a schema: what the procedure is meant to take (refinements aside). */
export function valueFor(schema: JsonSchema, root: JsonSchema = schema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/(\$defs|definitions)\//, '');
    const target = schema.$ref === '#' ? root : root.$defs?.[name];
    return target ? valueFor(target, root, depth + 1) : fc.constant(null);
  }
  switch (schema['x-zod']) {
    case 'date':
      return fc.oneof(
        fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      );
    case 'bigint':
      return fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n });
    case 'map':
      return fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 3 }).map((e) => new Map(e));
    case 'set':
      return fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }).map((e) => new Set(e));
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueFor(s, root, depth + 1)));
  if (schema.allOf?.length) return valueFor(schema.allOf[0]!, root, depth + 1);
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((t) => valueFor({ ...schema, type: t }, root, depth)));
  switch (schema.type) {
    case 'string': {
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.min(schema.maxLength ?? 64, Math.max(minLength, 300));
      if (schema.format === 'uuid' || (schema.pattern && UUID_PATTERN.test(schema.pattern))) {
        const upper = schema.pattern ? /A-F/.test(schema.pattern) : true;
        return upper
          ? fc.oneof(
              fc.uuid(),
              fc.uuid().map((u) => u.toUpperCase()),
            )
          : fc.uuid();
      }
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'uri' || schema.format === 'url') return fc.webUrl();
      if (schema.pattern) {
        let re: RegExp | null = null;
        try {
          re = new RegExp(schema.pattern);
        } catch {
          re = null;
        }
        if (re) return fc.stringMatching(re).filter((s) => s.length >= minLength && s.length <= maxLength);
      }
      return fc.oneof(
        { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
        { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
      );
    }
    case 'integer': {
      const min = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : schema.minimum;
      const max = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : schema.maximum;
      return clampInt(min, max);
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e9;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e9;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (schema.prefixItems) return fc.tuple(...schema.prefixItems.map((s) => valueFor(s, root, depth + 1)));
      const item = schema.items && !Array.isArray(schema.items) ? valueFor(schema.items, root, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      const minLength = schema.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 5, 5)) });
    }
    case 'object': {
      const props = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries(props)) record[k] = valueFor(s, root, depth + 1);
      return fc.record(record, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
  }
  // No type: anything JSON.
  return fc.jsonValue({ maxDepth: 2 });
}

// ---------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------

const SOME_UUID = '5c5b9a4e-1f0d-4c39-9a7e-2a51d5c8e101';

export const HOSTILE_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  INT32,
  INT32 + 1,
  -INT32 - 1,
  -INT32 - 2,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.EPSILON,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/** Strings that are plain trouble: unstorable (NUL, lone surrogates), boundaries, markup, SQL, paths, look-alikes. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  `${SOME_UUID}\u0000`,
  '\ud800',
  'x\udfff',
  '\udc00\ud800',
  '\uffff',
  '\ufeff',
  '\u202e\u2066',
  'e\u0301',
  '😀',
  '\n',
  '\r\n',
  '\t',
  'a\u0085b\u2028c',
  'x'.repeat(255),
  'x'.repeat(256),
  'é'.repeat(256),
  "' or '1'='1",
  "'; drop table cell_mappings; --",
  '%',
  '_',
  '\\',
  '%00',
  '$1',
  '../../../../etc/passwd',
  '/etc/passwd',
  'file:///etc/passwd',
  'javascript:alert(1)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template string on purpose
  '${7*7}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '2147483648',
  '99999999999999999999999',
  '[]',
  '{}',
  'postgresql://nova:secret@127.0.0.1:1/nova',
  'rabbit://nova:secret@127.0.0.1:1/',
  '00000000-0000-0000-0000-000000000000',
  ` ${SOME_UUID}`,
  SOME_UUID.toUpperCase(),
  `${SOME_UUID}x`,
  '1970-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-19T23:59:59.999Z',
  '0000-01-01',
];

/** Nesting `depth` deep: a value while it is shallow, JSON text beyond what a recursive writer survives. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  if (depth >= 500) return new RawJson(kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** Objects with keys that reach a prototype (own keys, as JSON.parse makes them). */
export const PROTOTYPE_VALUES: unknown[] = [
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  { prototype: { polluted: 'yes' } },
  JSON.parse('{"a":{"__proto__":{"isAdmin":true},"constructor":{"name":"x"}}}'),
  JSON.parse('[{"__proto__":[]}]'),
];

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then'];

/** Wrong types and superjson's special values (they travel with meta: undefined, bigint, Date, Map, Set, RegExp, URL, Error). */
const OTHER_TYPES: unknown[] = [
  null,
  undefined,
  true,
  false,
  [],
  {},
  [null],
  { a: 1 },
  10n ** 30n,
  -1n,
  0n,
  new Date(Number.NaN),
  new Date(8.64e15),
  new Date(-8.64e15),
  new Date(0),
  new Map([['a', 1]]),
  new Set([1, 2]),
  /x+/gi,
  new URL('http://127.0.0.1:1/'),
  new Error('boom'),
];

/** A hostile value, sized for where it travels (a URL holds far less than a body). */
export function hostileValue(carrier: Carrier): fc.Arbitrary<unknown> {
  const body = carrier === 'body';
  const huge = body ? [10_001, 100_000, 1_000_000] : [4_097, 5_000];
  const deep = body ? [9, 64, 2_000, 100_000] : [9, 64, 1_000];
  const many = body ? [1_001, 10_000, 100_001] : [200, 300];
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
    { weight: 2, arbitrary: fc.constantFrom(...OTHER_TYPES) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.constantFrom(...huge).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(...huge).map((n) => `${'\u0000'.repeat(3)}${'ÿ'.repeat(n)}`) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_VALUES) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...deep), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => nested(d, k)) },
    { weight: 1, arbitrary: fc.constantFrom(...many).map((n) => Array.from({ length: n }, (_, i) => (i % 2 ? SOME_UUID : i))) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 51, max: body ? 5_000 : 120 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
    },
  );
}

// ---------------------------------------------------------------------------------------
// Putting a hostile value into a valid one
// ---------------------------------------------------------------------------------------

type Path = (string | number)[];

function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return Array.isArray(v) || (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype);
}

function pathsOf(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (at.length < 6 && isPlainContainer(v)) for (const [k, child] of Object.entries(v)) pathsOf(child, [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isPlainContainer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) Object.defineProperty(out, k, { value: clone(child), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

function define(target: Record<string, unknown> | unknown[], key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value with the one at `path` replaced (the whole value when the path is empty). */
function replaceAt(v: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const out = clone(v);
  let cur = out as Record<string, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k as string] as Record<string, unknown>;
  define(cur, path[path.length - 1]!, value);
  return out;
}

/** The value with a key added to the object at `path` (or wrapping it in one when it is not an object). */
function addKeyAt(v: unknown, path: Path, key: string, value: unknown): unknown {
  const out = clone(v);
  let cur: unknown = out;
  for (const k of path) cur = (cur as Record<string, unknown>)[k as string];
  if (isPlainContainer(cur) && !Array.isArray(cur)) {
    define(cur, key, value);
    return out;
  }
  const wrapper: Record<string, unknown> = {};
  define(wrapper, key, value);
  return replaceAt(out, path, wrapper);
}

const extraKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a\u0000b', '\ud800', 'x'.repeat(300), 'notAField', 'json', 'meta', '0', 'a.b', '$where') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** A value the schema takes with one hostile change: a value replaced anywhere, or a key added anywhere. */
function mutated(valid: fc.Arbitrary<unknown>, carrier: Carrier): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), fc.boolean(), extraKey, hostileValue(carrier)).map(([v, n, add, key, h]) => {
    const paths = pathsOf(v);
    const path = paths[n % paths.length]!;
    return add ? addKeyAt(v, path, key, h) : replaceAt(v, path, h);
  });
}

// ---------------------------------------------------------------------------------------
// Wire bodies that are not valid superjson
// ---------------------------------------------------------------------------------------

/** superjson envelopes with crafted meta, around a valid input's json: prototype paths, unknown types, types that do not fit. */
function craftedMeta(json: unknown): fc.Arbitrary<string> {
  const keys = json && typeof json === 'object' ? Object.keys(json) : [];
  const k = keys[0] ?? 'a';
  const metas: unknown[] = [
    { values: { ['__proto__']: ['undefined'] } },
    { values: { '__proto__.polluted': ['undefined'] } },
    { values: { [`${k}.__proto__`]: ['Date'] } },
    { values: { 'constructor.prototype.polluted': ['undefined'] } },
    { referentialEqualities: { [k]: ['__proto__.polluted'] } },
    { referentialEqualities: { [k]: ['constructor.prototype.polluted'] } },
    { referentialEqualities: [['__proto__']] },
    { values: { [k]: [['class', 'Nope']] } },
    { values: { [k]: [['symbol', 'nope']] } },
    { values: { [k]: [['custom', 'nope']] } },
    { values: { [k]: [['constructor', 'x']] } },
    { values: { [k]: [['__proto__', 'x']] } },
    { values: { [k]: ['constructor'] } },
    { values: { [k]: ['toString'] } },
    { values: { [k]: ['map'] } },
    { values: { [k]: ['set'] } },
    { values: { [k]: ['bigint'] } },
    { values: { [k]: ['regexp'] } },
    { values: { [k]: ['Error'] } },
    { values: { [k]: ['URL'] } },
    { values: { [k]: ['number'] } },
    { values: { [k]: ['Date'] } },
    { values: { [k]: [['typed-array', 'Float64Array']] } },
    { values: { 'no.such.path.at.all': ['Date'] } },
    { values: ['undefined'] },
    { values: ['map'] },
    { values: 'map' },
    { values: [['custom']] },
    { values: { [k]: 'Date' } },
    { values: { [k]: [] } },
    { values: { [k]: [null] } },
    { v: 99, values: { [k]: ['Date'] } },
    'meta',
    null,
    [],
    7,
  ];
  return fc.constantFrom(...metas).map((meta) => JSON.stringify({ json, meta }));
}

/** Bodies (or `input` parameters) that are not superjson at all, or not JSON. */
function rawNotSuperjson(json: unknown): fc.Arbitrary<string> {
  const plain = JSON.stringify(json ?? null);
  return fc.constantFrom(
    '',
    '{',
    '{"json":',
    'null',
    '[]',
    '"x"',
    '0',
    '{}',
    '{"json":null}',
    '{"meta":{}}',
    plain,
    `{"json":${plain},"json":${plain}}`,
    `\ufeff{"json":${plain}}`,
    `{"json":${plain}}\u0000`,
    `{"json":${plain},"meta":{"values":{}},"extra":1}`,
    `{"0":{"json":${plain}}}`,
    `{"json":{"__proto__":{"polluted":"yes"}}}`,
    `{"json":{"constructor":{"prototype":{"polluted":"yes"}}}}`,
    `{"__proto__":{"json":${plain}}}`,
    `{"json":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
    'x'.repeat(1_000),
    '\ud800',
    '{"json":"\\ud800"}',
    '{"json":"\\u0000"}',
  );
}

/** What one fuzzed call sends as its input. */
export type FuzzInput =
  | { kind: 'value'; value: unknown; label: string }
  /** The exact text of the body or of the `input` parameter. */
  | { kind: 'raw'; text: string; label: string };

export interface FuzzCall {
  input: FuzzInput;
  /** The content type of a mutation's body (application/json unless a variant says otherwise). */
  contentType: string;
  /** Sent with the other method than the procedure takes. */
  wrongMethod: boolean;
}

/**
 * Calls for a procedure: its input (valid, one hostile change, wholly hostile, crafted
 * superjson meta, not superjson), sometimes another content type or the other method.
 */
export function callsFor(inputSchema: JsonSchema | null, type: 'query' | 'mutation'): fc.Arbitrary<FuzzCall> {
  const carrier: Carrier = type === 'query' ? 'url' : 'body';
  const valid = inputSchema ? valueFor(inputSchema) : fc.constant(undefined);
  const input: fc.Arbitrary<FuzzInput> = fc.oneof(
    { weight: 3, arbitrary: valid.map((value) => ({ kind: 'value' as const, value, label: 'valid' })) },
    { weight: 5, arbitrary: mutated(valid, carrier).map((value) => ({ kind: 'value' as const, value, label: 'one hostile change' })) },
    { weight: 1, arbitrary: hostileValue(carrier).map((value) => ({ kind: 'value' as const, value, label: 'hostile input' })) },
    { weight: 2, arbitrary: valid.chain(craftedMeta).map((text) => ({ kind: 'raw' as const, text, label: 'crafted superjson meta' })) },
    { weight: 1, arbitrary: valid.chain(rawNotSuperjson).map((text) => ({ kind: 'raw' as const, text, label: 'not superjson' })) },
  );
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/jsonx',
        '',
      ),
    },
  );
  return fc.record({ input, contentType, wrongMethod: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) });
}
