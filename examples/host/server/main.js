// node --expose-gc examples/host/server/main.js [--manager native|legacy|cluster] [--port N] [--timeout-ms N] [--grace-ms N]
//   [--redis-url URL --instance-id ID] (cluster)
// Prints one JSON line { url, statsUrl } once listening; stops on SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { startHost } from './app.js';

const { values } = parseArgs({
  options: {
    manager: { type: 'string', default: 'native' },
    port: { type: 'string', default: '0' },
    'timeout-ms': { type: 'string' },
    'grace-ms': { type: 'string', default: '30000' },
    'redis-url': { type: 'string' },
    'instance-id': { type: 'string' },
    'heartbeat-ms': { type: 'string', default: '1000' },
    'owner-timeout-ms': { type: 'string', default: '5000' },
  },
});
if (!['native', 'legacy', 'cluster'].includes(values.manager)) {
  console.error(`--manager must be native, legacy or cluster, got ${values.manager}`);
  process.exit(2);
}
const host = await startHost({
  manager: values.manager,
  port: Number(values.port),
  interactionTimeoutMs: values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']),
  graceMs: Number(values['grace-ms']),
  cluster: {
    redisUrl: values['redis-url'],
    instanceId: values['instance-id'],
    heartbeatMs: Number(values['heartbeat-ms']),
    ownerTimeoutMs: Number(values['owner-timeout-ms']),
  },
});
console.log(JSON.stringify({ url: host.url, statsUrl: host.statsUrl }));
const stop = async () => {
  await host.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
