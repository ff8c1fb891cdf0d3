import { refuse } from '../errors';

/** nova-manage's refusal for an unknown --cell_uuid (list_hosts, delete_host, update_cell…): rc 1. */
export function cellNotFound(uuid: string) {
  return refuse.notFound(`Cell with uuid ${uuid} was not found.`, 1);
}

/** The mapping with this uuid among `cells`, or nova's "Cell with uuid %s was not found." (rc 1). */
export function requireCell<T extends { uuid: string }>(cells: readonly T[], uuid: string): T {
  const cell = cells.find((c) => c.uuid === uuid);
  if (!cell) throw cellNotFound(uuid);
  return cell;
}
