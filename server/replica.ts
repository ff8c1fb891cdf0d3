/**
 * This process's name among the console replicas on one api database: written on the jobs
 * it claims, on the periodic discovery runs it makes and on the schedule's lease, so any
 * replica can say who holds what. CELLAR_REPLICA_NAME names it; otherwise host, port and pid.
 */
import os from 'node:os';

let name: string | undefined;

export function replicaName(): string {
  if (name) return name;
  const set = process.env.CELLAR_REPLICA_NAME?.trim();
  name = set ? set.slice(0, 255) : `${os.hostname()}:${process.env.PORT ?? 'cli'}:${process.pid}`;
  return name;
}
