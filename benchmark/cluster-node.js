'use strict';
// One process of `npm run bench -- --cluster` (benchmark/cluster.js drives it over IPC):
// - owner: connects and makes pending interactions; every answer carries the time it was sent
//   (performance.timeOrigin + now(), the same clock in every process on one machine), so the
//   owner measures send → its own promise settled.
// - cost: JS-thread time of requestInteraction, single-process vs cluster, in this fresh process.
const { InteractionManager, ClusterInteractionManager } = require('..');

const [role, redisUrl, prefix, instanceId] = process.argv.slice(2);
const wall = () => performance.timeOrigin + performance.now();

// No timeouts, and room for every interaction of the run in one session.
const LIMITS = { interactionTimeoutMs: 0, maxInteractionsPerSession: 100_000, maxPendingTotal: 1_000_000 };

async function owner() {
  const im = await ClusterInteractionManager.connect({ redisUrl, prefix, instanceId, ...LIMITS });
  let latencies = [];
  const ops = {
    make({ n, sessions }) {
      const ids = [];
      im.on('interaction-request', function take(e) {
        ids.push(e.id);
        if (ids.length === n) im.off('interaction-request', take);
      });
      for (let i = 0; i < n; i++) {
        im.requestInteraction({ type: 'bench', sessionId: sessions[i % sessions.length], data: { i, text: 'Allow Bash: ls -la?' } }).then(
          (r) => latencies.push(wall() - r.sentAt),
          () => {},
        );
      }
      return ids;
    },
    latencies() {
      const out = latencies;
      latencies = [];
      return out;
    },
    async close() {
      await im.close();
      setImmediate(() => process.disconnect());
    },
  };
  process.on('message', async ({ op, args }) => process.send({ op, result: await ops[op](args) }));
  process.send({ op: 'ready' });
}

// The JS thread's time per request: N requests in one synchronous loop, timed; then settled.
async function cost(mode) {
  const N = 20_000;
  const im = mode === 'cluster' ? await ClusterInteractionManager.connect({ redisUrl, prefix, instanceId, ...LIMITS }) : new InteractionManager(LIMITS);
  const request = { type: 'permission', sessionId: 'session-1', data: { toolName: 'Bash', input: { command: 'ls -la' } }, metadata: { requestId: 'r1' } };
  // Warm up both paths first (JIT, allocations), then measure.
  for (let i = 0; i < 2000; i++) im.requestInteraction(request).catch(() => {});
  im.removeSession('session-1');
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) im.requestInteraction(request).catch(() => {});
  const took = performance.now() - t0;
  if (mode === 'cluster') await im.close();
  else im.shutdown();
  if (process.send) {
    process.send({ op: 'cost', result: (took * 1000) / N });
    process.disconnect();
  } else console.log(`${mode}: ${((took * 1000) / N).toFixed(2)} µs per request`);
}

(role === 'owner' ? owner() : cost(role)).catch((err) => {
  console.error(err);
  process.exit(1);
});
