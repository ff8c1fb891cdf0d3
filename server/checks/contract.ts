/**
 * The checks area for pages (browser-safe): what the run takes (every cell, or only some);
 * its results, their labels and `cellar status`'s exit codes; the report it answers; and
 * the composition (compose.ts) a page runs as each cell answers.
 */
import { z } from 'zod';
import { cellUuidsSchema } from '../cells/cell-ref';

export { RESULT_CODE, RESULT_LABEL, type CheckResult } from './result';
export { composeChecks, type ChecksContext, type ChecksReport } from './compose';
export type { CellView, CheckFactsLastKnown } from './drift';
export type { ChecksParts, ChecksRun } from './run-checks';

export const checksInput = z.object({ cellUuids: cellUuidsSchema.optional() }).optional();
