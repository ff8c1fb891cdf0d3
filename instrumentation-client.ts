/**
 * Runs in the browser before the console's own code (Next's client instrumentation). zod 4
 * probes `new Function("")` when it builds its first object schema, to decide whether to
 * compile fast parsers; under the console's nonce CSP that probe is a blocked eval and a
 * reported CSP violation on every page. Without eval zod parses all the same.
 */
import { z } from 'zod';

z.config({ jitless: true });
