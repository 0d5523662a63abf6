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

// The JS thread's time per request: TURNS event-loop turns of PER_TURN requests each (as a busy
// host receives them), each turn timed from its first request to the end of its microtasks
// (cluster mode hands the turn's writes to the native side there). The median turn: on 2 cores a
// turn may be preempted by the native threads or redis-server, which is not the JS thread's cost.
async function cost(mode) {
  const TURNS = 200;
  const PER_TURN = 200;
  const im = mode === 'cluster' ? await ClusterInteractionManager.connect({ redisUrl, prefix, instanceId, ...LIMITS }) : new InteractionManager(LIMITS);
  const request = { type: 'permission', sessionId: 'session-1', data: { toolName: 'Bash', input: { command: 'ls -la' } }, metadata: { requestId: 'r1' } };
  const turn = async () => {
    const t0 = performance.now();
    for (let i = 0; i < PER_TURN; i++) im.requestInteraction(request).catch(() => {});
    await Promise.resolve();
    return performance.now() - t0;
  };
  // Warm up both paths first (JIT, allocations), then measure.
  for (let i = 0; i < 10; i++) await turn();
  im.removeSession('session-1');
  await new Promise((r) => setTimeout(r, 200));
  const turns = [];
  for (let i = 0; i < TURNS; i++) {
    turns.push(await turn());
    await new Promise((r) => setImmediate(r));
    // Keep the registry small and alike in both modes: end this turn's requests, untimed.
    if (i % 10 === 9) im.removeSession('session-1');
    await new Promise((r) => setImmediate(r));
  }
  turns.sort((a, b) => a - b);
  const perRequest = (turns[TURNS >> 1] * 1000) / PER_TURN;
  if (mode === 'cluster') await im.close();
  else im.shutdown();
  if (process.send) {
    process.send({ op: 'cost', result: perRequest });
    process.disconnect();
  } else console.log(`${mode}: ${perRequest.toFixed(2)} µs per request`);
}

(role === 'owner' ? owner() : cost(role)).catch((err) => {
  console.error(err);
  process.exit(1);
});
