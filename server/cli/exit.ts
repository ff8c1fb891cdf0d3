/** Thrown by a command to end with a given exit code after printing its own message. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ExitCode';
  }
}

/**
 * Exit codes nova-manage gives a verb when its api database does not answer, where it is
 * not the CLI's 1 (nova/cmd/manage.py: archive_deleted_rows 3, purge 4). They hold when the
 * api database fails before the verb itself runs too (the write verbs' audit session).
 */
export const API_DOWN_EXIT: Readonly<Record<string, number>> = { 'db archive_deleted_rows': 3, 'db purge': 4 };

/**
 * Exit codes that are a success for a verb, not a refusal, for the audit's outcome: nova's
 * archive_deleted_rows exits 1 when it archived something, map_instances when it stopped
 * at --max-count with more to map.
 */
const SUCCESS_EXITS: Readonly<Record<string, readonly number[]>> = { 'db archive_deleted_rows': [1], map_instances: [1] };

export const isSuccessExit = (verb: string | null, code: number) => code === 0 || (verb !== null && (SUCCESS_EXITS[verb]?.includes(code) ?? false));
