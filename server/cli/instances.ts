import type { Command } from 'commander';

/** The instances area's commands (filled by the boot-flow work). */
export function registerInstancesCommands(_program: Command) {}
