/**
 * The checks area for pages (browser-safe): the run takes no input; its results, their
 * labels and `cellar status`'s exit codes, and the report it answers.
 */
export { RESULT_CODE, RESULT_LABEL, type CheckResult } from './result';
export type { ChecksReport } from './run-checks';
