import type { Command } from 'commander';

/** nova-manage cell_v2 verbs of the cells area (filled by the cells-and-discovery work). */
export function registerCellsCommands(_program: Command) {}
