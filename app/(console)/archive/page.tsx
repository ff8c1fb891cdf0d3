import type { Metadata } from 'next';
import { ArchiveView } from './archive-view';

export const metadata: Metadata = { title: 'Archive and purge' };
export const dynamic = 'force-dynamic';

/**
 * nova-manage db archive_deleted_rows and purge, for operators: a dry run first (what would
 * move, per cell and table), then the job over every cell, cell0 first, with its progress.
 * Nothing is asked before the operator presses "Dry run": the counts read every cell.
 */
export default function ArchivePage() {
  return <ArchiveView />;
}
