import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupPrefilter, NO_FAULT_KEY, normaliseFault } from './fault-text';

describe('normaliseFault', () => {
  it.each([
    [
      'Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance 5f1c1a2e-8a3b-5c7d-9e0f-1a2b3c4d5e6f.',
      'Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance <uuid>.',
    ],
    [
      'Build of instance 0b9d5f8e-1111-4222-8333-944455556666 aborted: Failed to allocate the network(s), not rescheduling.',
      'Build of instance <uuid> aborted: Failed to allocate the network(s), not rescheduling.',
    ],
    ['Quota exceeded for cores: Requested 8, but already used 118 of 120 cores', 'Quota exceeded for cores: Requested <n>, but already used <n> of <n> cores'],
    // NoValidHost(reason=""): the trailing space nova leaves does not make a group of its own.
    ['No valid host was found. ', 'No valid host was found.'],
    ['No valid host was found. There are not enough hosts available.', 'No valid host was found. There are not enough hosts available.'],
    // Host names keep their digits: a different host is a different story.
    [
      'No valid host was found. No such host - host: cell1-cmp-099.dc1.example.net node: None ',
      'No valid host was found. No such host - host: cell1-cmp-099.dc1.example.net node: None',
    ],
    ["Host 'cmp-7.example.net' is not mapped to any cell", 'Host <name> is not mapped to any cell'],
    ['Image "ubuntu-24.04" could not be found.', 'Image <name> could not be found.'],
    ["Instance's flavor can't be used", "Instance's flavor can't be used"],
    ['Quota exceeded for project 3f2a9c0d1e2b4a5f8c7d6e5f4a3b2c1d: ram', 'Quota exceeded for project <id>: ram'],
    ['Timed out   after\n\t 60.5 seconds', 'Timed out after <n> seconds'],
  ])('%s', (message, expected) => {
    expect(normaliseFault(message)).toBe(expected);
  });

  it('puts instances without a fault in a group of their own', () => {
    expect(normaliseFault(null)).toBe(NO_FAULT_KEY);
    expect(normaliseFault(undefined)).toBe(NO_FAULT_KEY);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(message(), (m) => normaliseFault(normaliseFault(m)) === normaliseFault(m)));
  });
});

/** Messages built from the pieces nova's faults are made of. */
function message() {
  const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
  const uuid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join('-'));
  const word = fc.constantFrom(
    'No',
    'valid',
    'host',
    'was',
    'found.',
    'instance',
    'cell1-cmp-004',
    '(s),',
    "can't",
    'node:',
    'None',
    '-',
    '<n>',
    '<uuid>',
    'x.y',
  );
  const num = fc.oneof(
    fc.nat({ max: 100000 }).map(String),
    fc.tuple(fc.nat(999), fc.nat(99)).map(([a, b]) => `${a}.${b}`),
  );
  const quoted = fc.tuple(fc.constantFrom("'", '"'), fc.string({ unit: fc.constantFrom(...'abc-. 19'), maxLength: 8 })).map(([q, s]) => `${q}${s}${q}`);
  const sep = fc.constantFrom(' ', '  ', '\n', ' \t ', ', ', ': ');
  const piece = fc.oneof(word, uuid, hex(32), num, quoted);
  return fc.array(fc.tuple(piece, sep), { maxLength: 12 }).map((parts) => parts.map(([p, s]) => p + s).join(''));
}

describe('groupPrefilter', () => {
  it('matches every message of its group (so SQL never drops a row the exact test would keep)', () => {
    fc.assert(
      fc.property(message(), (m) => {
        // The ARE used by PostgreSQL here is also a valid JavaScript regular expression.
        return new RegExp(groupPrefilter(normaliseFault(m))).test(m);
      }),
      { numRuns: 500 },
    );
  });

  it('does not match a different failure', () => {
    const re = new RegExp(groupPrefilter(normaliseFault('No valid host was found. There are not enough hosts available.')));
    expect(re.test('No valid host was found. ')).toBe(false);
    expect(re.test('Exceeded maximum number of retries.')).toBe(false);
  });
});
