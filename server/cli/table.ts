/**
 * A table in the style nova-manage prints (PrettyTable): operators' scripts and eyes know it.
 *
 * +-------+--------------------------------------+
 * |  Name |                 UUID                 |
 * +-------+--------------------------------------+
 */
export function prettyTable(headers: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((v) => (v === null || v === undefined ? 'None' : String(v))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const center = (s: string, w: number) => {
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  const row = (r: string[], align: (s: string, w: number) => string) => `| ${r.map((v, i) => align(v, widths[i]!)).join(' | ')} |`;
  return [line, row(headers, center), line, ...cells.map((r) => row(r, (s, w) => s.padEnd(w))), line].join('\n');
}
