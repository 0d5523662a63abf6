// node --expose-gc examples/host/server/main.js [--manager native|legacy] [--port N] [--timeout-ms N] [--grace-ms N]
// Prints one JSON line { url, statsUrl } once listening; stops on SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { startHost } from './app.js';

const { values } = parseArgs({
  options: {
    manager: { type: 'string', default: 'native' },
    port: { type: 'string', default: '0' },
    'timeout-ms': { type: 'string' },
    'grace-ms': { type: 'string', default: '30000' },
  },
});
if (!['native', 'legacy'].includes(values.manager)) {
  console.error(`--manager must be native or legacy, got ${values.manager}`);
  process.exit(2);
}
const host = await startHost({
  manager: values.manager,
  port: Number(values.port),
  interactionTimeoutMs: values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']),
  graceMs: Number(values['grace-ms']),
});
console.log(JSON.stringify({ url: host.url, statsUrl: host.statsUrl }));
const stop = async () => {
  await host.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
