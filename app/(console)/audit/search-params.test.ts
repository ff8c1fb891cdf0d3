import { describe, expect, it } from 'vitest';
import { auditInput } from './search-params';

const audit = { actor: null, action: null, outcome: null, since: null, sort: null, dir: null, marker: null, back: false, size: 50 } as const;

describe('the audit list input (the server render and the browser build the same)', () => {
  it('audit: newest first when no order is named; back only with a marker; a since without a zone is UTC', () => {
    expect(auditInput(audit)).toMatchObject({ sort: 'at', dir: 'desc', back: false, limit: 50, since: null });
    expect(auditInput({ ...audit, sort: 'at' })).toMatchObject({ dir: 'asc' });
    expect(auditInput({ ...audit, back: true })).toMatchObject({ back: false });
    expect(auditInput({ ...audit, back: true, marker: 'm' })).toMatchObject({ back: true, marker: 'm' });
    expect(auditInput({ ...audit, since: '2026-12-01T09:00' }).since).toEqual(new Date('2026-12-01T09:00:00Z'));
    expect(auditInput({ ...audit, since: 'yesterday' }).since).toBeNull();
  });
});
