/**
 * Everything in the api database: nova's tables (nova-tables.ts) and Cellar's own
 * (db/cellar/schema.ts). Code imports from here; the migrations of the two are apart.
 */
export * from './nova-tables';
export * from '../cellar/schema';
