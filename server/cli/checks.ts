import type { Command } from 'commander';
import { ConfigError } from '@/db/config';
import { classifyCellError } from '@/db/fanout';
import { cellLabel, type CellSummary } from '../cells/cell-ref';
import { OLDEST_SUPPORTED_SERVICE_VERSION, SERVICE_VERSION_ALIASES } from '../checks/old-computes';
import { SERVICE_VERSION } from '../nova/constants';
import { type Check, RESULT_CODE, RESULT_LABEL } from '../checks/result';
import { type ChecksReport, runChecks } from '../checks/run-checks';
import { ExitCode } from './exit';
import { withDeps } from './session';
import { prettyTable } from './table';

/** nova-status's exit code for an unexpected error, so it is never read as a check result. */
export const UNEXPECTED_ERROR = 255;

/** The driver's error under the query builder's wrapping ("Failed query: …" carries the SQL, not the cause). */
function rootCause(e: unknown): unknown {
  let cur = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object' && 'cause' in cur && (cur as { cause?: unknown }).cause; i++) {
    cur = (cur as { cause: unknown }).cause;
  }
  return cur;
}

/** Greedy word wrap, as Python's textwrap.wrap: long words are broken, later lines indented. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  const limit = () => width - (lines.length === 0 ? 0 : indent.length);
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > 0) {
      const room = limit() - (line ? line.length + 1 : 0);
      if (word.length <= room) {
        line = line ? `${line} ${word}` : word;
        word = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(word.slice(0, limit()));
        word = word.slice(limit());
      }
    }
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

/**
 * oslo.upgradecheck's table, as `nova-status upgrade check` prints it: one left-aligned
 * column, a rule between checks, details wrapped at 60 characters.
 */
export function upgradeCheckTable(checks: readonly Check[]): string {
  const header = 'Upgrade Check Results';
  const blocks = checks.map((c) => {
    const details = c.details === null ? ['None'] : wrap(c.details, 60, '  ');
    return [`Check: ${c.name}`, `Result: ${RESULT_LABEL[c.result]}`, `Details: ${details[0]}`, ...details.slice(1)];
  });
  const width = Math.max(header.length, ...blocks.flat().map((l) => l.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  const row = (l: string) => `| ${l.padEnd(width)} |`;
  return [rule, row(header), rule, ...blocks.flatMap((b) => [...b.map(row), rule])].join('\n');
}

const name = (c: CellSummary) => c.name;
const iso = (d: Date | null) => (d ? `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC` : null);

/** The findings behind each warning or failure, as nova-manage-style tables. */
export function findingTables(r: ChecksReport): string[] {
  const out: string[] = [];
  const section = (title: string, headers: string[], rows: (string | number | boolean | null)[][]) => {
    if (rows.length) out.push(`${title}\n${prettyTable(headers, rows)}`);
  };
  const d = r.drift;
  section(
    `Failure: Older than N-1 computes (${r.oldComputes.tooOld.length} below ${r.oldComputes.oldestSupported.release}, ${r.oldComputes.oldestSupported.version})`,
    ['Cell Name', 'Cell UUID', 'Hostname', 'Version'],
    r.oldComputes.tooOld.map((s) => [name(s.cell), s.cell.uuid, s.host, s.version]),
  );
  section(
    `Warning: Cells answering (${d.downCells.length} did not answer)`,
    ['Cell Name', 'Cell UUID', 'Reason', 'Message', 'Elapsed (ms)', 'Host mappings not compared'],
    d.downCells.map((c) => [c.name, c.uuid, c.reason, c.message, c.elapsedMs, c.hostMappingsNotCompared]),
  );
  section(
    `Warning: Cell schemas (${d.schemas.length} not current)`,
    ['Cell Name', 'Cell UUID', 'State', 'Applied', 'Expected', 'Summary'],
    d.schemas.map((s) => [name(s.cell), s.cell.uuid, s.state, s.applied, s.expected, s.summary]),
  );
  section(
    `Warning: Stale host mappings (${d.staleHostMappings.length})`,
    ['Cell Name', 'Cell UUID', 'Hostname', 'Mapped Since'],
    d.staleHostMappings.map((m) => [name(m.cell), m.cell.uuid, m.host, iso(m.createdAt)]),
  );
  section(
    `Warning: Host mappings to the wrong cell (${d.misplacedHostMappings.length})`,
    ['Cell Name', 'Cell UUID', 'Hostname', 'Found In'],
    d.misplacedHostMappings.map((m) => [name(m.cell), m.cell.uuid, m.host, m.foundIn.map(cellLabel).join(', ')]),
  );
  section(
    `Warning: Hosts in more than one cell (${d.hostsInSeveralCells.length})`,
    ['Hostname', 'Cells', 'Mapped To'],
    d.hostsInSeveralCells.map((h) => [h.host, h.cells.map(cellLabel).join(', '), h.mappedTo ? cellLabel(h.mappedTo) : null]),
  );
  section(
    `Warning: Compute services in cell0 (${d.cell0ComputeServices.length})`,
    ['Hostname', 'Version', 'State', 'Disabled', 'Last Seen Up'],
    d.cell0ComputeServices.map((s) => [s.host, s.version, s.state, s.disabled, iso(s.lastSeenUp)]),
  );
  return out;
}

/** oslo.upgradecheck's --json shape ({name, checks: [{check, result, details}]}), with Cellar's findings beside it. */
export function statusJson(r: ChecksReport) {
  return {
    name: 'Upgrade Check Results',
    checks: r.checks.map((c) => ({ check: c.name, result: RESULT_CODE[c.result], details: c.details, id: c.id, status: c.result })),
    result: r.exitCode,
    status: r.result,
    drift: r.drift,
    oldComputes: r.oldComputes,
    cells: r.cells,
    asOf: r.asOf,
  };
}

function printReport(r: ChecksReport) {
  console.log(upgradeCheckTable(r.checks));
  for (const t of findingTables(r)) console.log(`\n${t}`);
  const u = r.drift.unmappedComputeHosts;
  console.log('');
  if (u.total > 0) {
    console.log(
      `Unmapped compute hosts: ${u.total} (${u.byCell.map((c) => `${cellLabel(c.cell)}: ${c.count}`).join(', ')}); run 'cellar discover_hosts' to map them.`,
    );
  }
  console.log(`${r.cells.answered} of ${r.cells.total} cells answered; as of ${iso(r.asOf)}.`);
}

export function registerChecksCommands(program: Command) {
  program
    .command('status')
    .description(
      "nova-status upgrade check's cells checks (Cells v2; Older than N-1 computes) with nova's conditions and messages, plus drift none of nova's tools report",
    )
    .option('--json', "print the results as JSON (oslo.upgradecheck's shape plus the findings)")
    .addHelpText(
      'after',
      `
Checks: "Cells v2" and "Older than N-1 computes" are nova-status's (a failure stops an
upgrade). Cellar adds, each a warning when it finds something: cells that do not answer,
cell schemas that are not current, stale host mappings (no cell has the host), host
mappings to the wrong cell (another cell has the host), hosts live in more than one cell,
and nova-compute services in cell0. Unmapped compute hosts are counted, not warned about.

Older than N-1 computes: the lowest version of the nova-compute services across the
cells that answer (deleted, forced-down and version-0 rows not counted) must be at least
${OLDEST_SUPPORTED_SERVICE_VERSION}'s ${SERVICE_VERSION_ALIASES[OLDEST_SUPPORTED_SERVICE_VERSION]}; this release is ${SERVICE_VERSION}.

Exit codes, as nova-status upgrade check:
  0    every check succeeded
  1    at least one warning (drift, a cell that did not answer, a schema not current)
  2    at least one failure (nova's Cells v2 or Older than N-1 computes conditions)
  255  an unexpected error or a usage error; nova-status prints a traceback, Cellar
       prints one line (the details are never a password or a stack trace)`,
    )
    // A usage error must not read as "warning" (commander's code is 1).
    .exitOverride((err) => {
      if (err.exitCode === 0) throw err;
      throw new ExitCode(UNEXPECTED_ERROR);
    })
    .action(async (o: { json?: boolean }) => {
      let report: ChecksReport;
      try {
        report = await withDeps((deps) => runChecks(deps), { quiet: Boolean(o.json) });
      } catch (e) {
        const message = e instanceof ConfigError ? `configuration error: ${e.message}` : classifyCellError(rootCause(e)).message;
        console.error(`Error: ${message}`);
        throw new ExitCode(UNEXPECTED_ERROR);
      }
      if (o.json) console.log(JSON.stringify(statusJson(report), null, 2));
      else printReport(report);
      if (report.exitCode !== 0) throw new ExitCode(report.exitCode);
    });
}
