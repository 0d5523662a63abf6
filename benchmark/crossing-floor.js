'use strict';
// node benchmark/crossing-floor.js: the least a native request→resolve cycle can cost here,
// measured exactly as `npm run bench` measures the cycle (tinybench, median batch time, batches
// of 1000 over 50 sessions, default options). The "floor" calls the binding directly: no JS
// wrapper, no events, no await. If the floor alone is slower than the baseline's whole cycle
// divided by 1.3, the bench's cycle target cannot be met through N-API.
const { randomUUID } = require('node:crypto');
const { Bench } = require('tinybench');
const native = require('../binding.js');
const { BaselineInteractionManager } = require('./baseline');
const registryOptions = require('./registry-options');

const handle = native.create(() => new Error(), registryOptions({ maxInteractionsPerSession: 1e6, maxPendingTotal: 1e7 }));
const ids = new Array(1000);
const baseline = new BaselineInteractionManager({ maxPendingTotal: 200_000 });
const noop = () => {};
baseline.on('interaction-request', noop);
baseline.on('interaction-resolved', noop);
const seen = [];
baseline.on('interaction-request', (i) => seen.push(i.id));

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench.add('native crossings alone', () => {
  for (let i = 0; i < 1000; i++) {
    ids[i] = randomUUID();
    native.request(handle, ids[i], i, i % 3 ? 'permission' : 'ask-user', `session-${i % 50}`, -1, performance.now(), 0);
  }
  for (let i = 0; i < 1000; i++) native.resolve(handle, ids[i], 1, undefined, performance.now());
});
bench.add('pure-JS baseline, whole cycle', async () => {
  seen.length = 0;
  const all = new Array(1000);
  for (let i = 0; i < 1000; i++) {
    all[i] = baseline.requestInteraction({ type: i % 3 ? 'permission' : 'ask-user', sessionId: `session-${i % 50}`, data: { toolName: 'Bash', i }, metadata: { requestId: i } });
  }
  for (const id of seen) baseline.resolveInteraction(id, { behavior: 'allow' });
  await Promise.all(all);
});

(async () => {
  await bench.run();
  const [floor, whole] = bench.tasks.map((t) => t.result.latency.p50 * 1000); // ns per cycle
  console.log(`native crossings alone (request + resolve into the binding): ${floor.toFixed(0)} ns per cycle (median)`);
  console.log(`pure-JS baseline, whole cycle:                            ${whole.toFixed(0)} ns per cycle (median)`);
  console.log(`1.3x the baseline needs a whole native cycle of at most    ${(whole / 1.3).toFixed(0)} ns`);
  console.log(floor > whole / 1.3 ? 'The floor alone is above that: the target is out of reach through N-API.' : 'The floor is below that line.');
})();
