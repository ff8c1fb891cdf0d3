import type { Command } from 'commander';

/** nova-manage cell_v2 verbs of the hosts area (filled by the cells-and-discovery work). */
export function registerHostsCommands(_program: Command) {}
