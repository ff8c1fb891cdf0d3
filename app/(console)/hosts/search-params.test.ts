import { describe, expect, it } from 'vitest';
import { mappingsInput } from './search-params';

const hosts = { cell: null, host: null, sort: null, dir: null, after: null, before: null, size: 50 } as const;

describe('the host mappings input (the server render and the browser build the same)', () => {
  it("host mappings: nova's order when none is named, a named sort without a direction ascending as the table shows it, an unknown size the default", () => {
    expect(mappingsInput(hosts)).toMatchObject({ sort: 'host', dir: 'asc', size: 50 });
    expect(mappingsInput({ ...hosts, sort: 'created_at' })).toMatchObject({ sort: 'created_at', dir: 'asc' });
    expect(mappingsInput({ ...hosts, sort: 'cell', dir: 'desc', size: 7, host: '  cmp ' })).toMatchObject({ sort: 'cell', dir: 'desc', size: 50, host: 'cmp' });
  });
});
