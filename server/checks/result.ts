/**
 * The vocabulary of a check, as oslo.upgradecheck (nova-status) has it: each check ends
 * with Success, Warning or Failure, and the command exits with the worst code of all.
 */
export type CheckResult = 'success' | 'warning' | 'failure';

/** oslo.upgradecheck's Code: the exit status of `nova-status upgrade check` and `cellar status`. */
export const RESULT_CODE = { success: 0, warning: 1, failure: 2 } as const;
export type ResultCode = (typeof RESULT_CODE)[CheckResult];

/** nova-status prints these words in its Result column. */
export const RESULT_LABEL: Record<CheckResult, string> = { success: 'Success', warning: 'Warning', failure: 'Failure' };

export type CheckId =
  | 'cells_v2'
  | 'old_computes'
  | 'cells_answering'
  | 'cell_schemas'
  | 'stale_host_mappings'
  | 'misplaced_host_mappings'
  | 'hosts_in_several_cells'
  | 'cell0_compute_services';

export interface Check {
  id: CheckId;
  /** nova's check name where nova has the check ("Cells v2", "Older than N-1 computes"). */
  name: string;
  result: CheckResult;
  /** nova's message where nova has one; null when there is nothing to say (nova prints "None"). */
  details: string | null;
}

export function worstResult(checks: readonly Pick<Check, 'result'>[]): CheckResult {
  let worst: CheckResult = 'success';
  for (const c of checks) if (RESULT_CODE[c.result] > RESULT_CODE[worst]) worst = c.result;
  return worst;
}

/** "a, b, c and 4 more": details stay readable in a 60-column table; the full lists are in the report. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
