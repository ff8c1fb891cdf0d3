import { cellNotFound } from '../cells/cell-ref';

/** The mapping with this uuid among `cells`, or nova's "Cell with uuid %s was not found." (rc 1: list_hosts, delete_host, discover_hosts). */
export function requireCell<T extends { uuid: string }>(cells: readonly T[], uuid: string): T {
  const cell = cells.find((c) => c.uuid === uuid);
  if (!cell) throw cellNotFound(uuid, 1);
  return cell;
}
