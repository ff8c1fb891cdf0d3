import { describe, expect, it } from 'vitest';
import { LANDING_PATH, landingPath } from './landing';

describe('landingPath', () => {
  it('lands on the overview when no page sent the user: no next, an empty one, or the root', () => {
    for (const next of [undefined, null, '', '/']) expect(landingPath(next)).toBe(LANDING_PATH);
    expect(LANDING_PATH).toBe('/overview');
  });

  it('goes back to the page that sent the user, the root with a query included', () => {
    expect(landingPath('/hosts?host=cmp')).toBe('/hosts?host=cmp');
    expect(landingPath('/?refresh=false')).toBe('/?refresh=false');
    expect(landingPath('/cell0#groups')).toBe('/cell0#groups');
  });

  it('never leaves the site: hostile values still go to / as before', () => {
    for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example', '/\t/evil.example', '/.//evil.example', 'javascript:alert(1)'])
      expect(landingPath(next)).toBe('/');
  });
});
