import type { Metadata } from 'next';
import { RepairsView } from './repairs-view';

export const metadata: Metadata = { title: 'Repairs' };
export const dynamic = 'force-dynamic';

/** The drift findings with a safe fix: a dry run that lists the rows, then a run as a job with progress (operators). */
export default function RepairsPage() {
  return <RepairsView />;
}
