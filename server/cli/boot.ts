import type { Command } from 'commander';

/** The boot area's commands (filled by the boot-flow work). */
export function registerBootCommands(_program: Command) {}
