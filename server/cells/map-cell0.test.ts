import { describe, expect, it } from 'vitest';
import { defaultCell0Connection } from './map-cell0';

describe("defaultCell0Connection (nova's _map_cell0 default)", () => {
  it('adds _cell0 to the database name, keeping credentials, port and query', () => {
    expect(defaultCell0Connection('postgresql://nova:pw@db.example.net:5432/nova_api')).toBe('postgresql://nova:pw@db.example.net:5432/nova_api_cell0');
    expect(defaultCell0Connection('postgresql://nova:pw@db/nova?sslmode=require')).toBe('postgresql://nova:pw@db/nova_cell0?sslmode=require');
  });

  it('puts it before an extension, as os.path.splitext splits it, but not before a leading dot', () => {
    expect(defaultCell0Connection('postgresql://h/nova.db')).toBe('postgresql://h/nova_cell0.db');
    expect(defaultCell0Connection('postgresql://h/.nova')).toBe('postgresql://h/.nova_cell0');
  });

  it('refuses something that is not a URL', () => {
    expect(() => defaultCell0Connection('not a url')).toThrow(/CELLAR_DATABASE_URL is not a URL/);
  });
});
