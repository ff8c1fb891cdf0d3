/**
 * The repairs area for pages (browser-safe): the kinds, what each changes, the inputs of
 * the procedures and what they answer, all defined in repair-kinds.ts.
 */
export * from './repair-kinds';
