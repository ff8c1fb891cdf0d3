// Test helper: set up an embedded deployment in the given data directory, say so, then wait to be killed.
import { prepareEmbeddedDeployment } from './embedded-deployment';

const dep = await prepareEmbeddedDeployment({ dataDir: process.argv[2]!, log: () => {} });
process.stdout.write(`${JSON.stringify({ port: dep.cluster.port, seeded: dep.seeded })}\n`);
setInterval(() => {}, 1 << 30);
