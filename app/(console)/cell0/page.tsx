import type { Metadata } from 'next';
import { Cell0View } from './cell0-view';

export const metadata: Metadata = { title: 'cell0' };
export const dynamic = 'force-dynamic';

/**
 * cell0, the graveyard of boots that found no home: their faults, grouped or one by one;
 * delete is the only action. cell0 is asked from the browser, not here, so a cell0 that
 * does not answer never holds up the page's first paint.
 */
export default function Cell0Page() {
  return <Cell0View />;
}
