import type { Command } from 'commander';

/** nova-manage cell_v2 verbs of the checks area (filled by the cells-and-discovery work). */
export function registerChecksCommands(_program: Command) {}
