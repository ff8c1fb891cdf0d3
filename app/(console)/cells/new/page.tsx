import type { Metadata } from 'next';
import { PageHeader } from '../../../_components/ui';
import { CreateCellForm } from './create-cell-form';

export const metadata: Metadata = { title: 'Create cell' };

/** Create a cell: its URLs are checked and its database probed before anything is saved. */
export default function NewCellPage() {
  return (
    <div className="max-w-3xl">
      <PageHeader
        title="Create cell"
        description="A new cell mapping (nova-manage cell_v2 create_cell). Cellar connects to the database first and checks that it holds a current cell schema."
      />
      <CreateCellForm />
    </div>
  );
}
