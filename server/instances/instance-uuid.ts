import { z } from 'zod';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * An instance uuid as people paste it: surrounding spaces dropped, lower-cased (nova
 * stores them lower-case; MySQL's collation would have matched either case). Any
 * 8-4-4-4-12 hex string, not only RFC 4122 versions: nova accepts whatever its API made.
 */
export const instanceUuid = z.string().trim().toLowerCase().regex(UUID_RE, 'must be an instance uuid (8-4-4-4-12 hexadecimal digits)');
