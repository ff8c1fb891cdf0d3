/**
 * Who may call what: the minimum role of every procedure of the app router, written down
 * here from the role definitions (issue 5), independently of the procedures' own
 * declarations. access-matrix.test.ts checks that the two agree, that the server enforces
 * them, and that no procedure exists without an entry.
 *
 *   viewer   reads everything, never a secret
 *   support  + deletes cell0 instances and build requests, exports
 *   operator everything: cells, host mappings, discovery, map_instances, boots,
 *            revealing a cell's raw URLs, users and tokens
 */
import type { Role } from './roles';

export const ACCESS_MATRIX: Record<string, Role> = {
  // Cells: reading is for everyone; creating, changing and deleting is the operator's.
  'cells.list': 'viewer',
  'cells.detail': 'viewer',
  'cells.create': 'operator',
  'cells.rename': 'operator',
  'cells.setDisabled': 'operator',
  'cells.delete': 'operator',

  // Host mappings and discovery.
  'hosts.mappings': 'viewer',
  'hosts.reachability': 'viewer',
  'hosts.unmapped': 'viewer',
  'hosts.lastDiscovery': 'viewer',
  'hosts.deleteMapping': 'operator',
  'hosts.discover': 'operator',
  'hosts.discoverySchedule': 'viewer',
  'hosts.setDiscoveryPaused': 'operator',

  // nova-status style checks only read.
  'checks.run': 'viewer',

  // Boots (nova-api's accept and the conductor's schedule) change the deployment.
  'boot.capacity': 'viewer',
  'boot.accept': 'operator',
  'boot.schedule': 'operator',

  'instances.list': 'viewer',
  'instances.lookup': 'viewer',
  'instances.findByName': 'viewer',

  // Background jobs: starting map_instances is the operator's; watching it is everyone's.
  'jobs.startMapInstances': 'operator',
  'jobs.get': 'viewer',
  'jobs.listForCell': 'viewer',

  // Repairs: the dry run only reads; running one changes rows.
  'repairs.plan': 'viewer',
  'repairs.start': 'operator',
  'repairs.jobs': 'viewer',

  // Archive and purge (nova-manage db): dry runs, jobs and their progress are the operator's.
  'archive.dryRun': 'operator',
  'archive.purgeDryRun': 'operator',
  'archive.start': 'operator',
  'archive.startPurge': 'operator',
  'archive.jobs': 'operator',

  // Triage: support deletes in cell0 and build requests, and exports the evidence.
  'triage.cell0.list': 'viewer',
  'triage.cell0.groups': 'viewer',
  'triage.cell0.get': 'viewer',
  'triage.cell0.trend': 'viewer',
  'triage.cell0.delete': 'support',
  'triage.cell0.export': 'support',
  'triage.buildRequests.list': 'viewer',
  'triage.buildRequests.delete': 'support',

  // The overview only reads.
  'overview.failures': 'viewer',
  'overview.buildRequestAges': 'viewer',

  // Access control itself.
  'auth.me': 'viewer',
  'auth.audit.list': 'viewer',
  'auth.users.list': 'operator',
  'auth.users.add': 'operator',
  'auth.users.setRole': 'operator',
  'auth.users.remove': 'operator',
  'auth.users.resetPassword': 'operator',
  'auth.tokens.list': 'operator',
  'auth.tokens.create': 'operator',
  'auth.tokens.revoke': 'operator',
  'auth.revealUrls': 'operator',
};
