'use strict';
// node benchmark/crossing-floor.js: the least a native request→resolve cycle can cost here.
// It calls the binding directly (no JS wrapper, no events, no await), in batches of 1000 over
// 50 sessions as the bench does, and compares that with the pure-JS baseline's whole cycle
// (wrapper, events and await included). If the floor alone is slower than the baseline's
// cycle divided by 1.3, the bench's cycle target cannot be met through N-API.
const { randomUUID } = require('node:crypto');
const native = require('../binding.js');
const { BaselineInteractionManager } = require('./baseline');

const ROUNDS = 1500;
const handle = native.create(() => new Error(), 0, 0, 1e6, 1e7, false, performance.now(), 0, 0);

function floor() {
  const ids = new Array(1000);
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < 1000; i++) {
      ids[i] = randomUUID();
      native.request(handle, ids[i], i, i % 3 ? 'permission' : 'ask-user', `session-${i % 50}`, -1, performance.now(), 0);
    }
    for (let i = 0; i < 1000; i++) native.resolve(handle, ids[i], 1, undefined);
  }
  return ((performance.now() - started) * 1e6) / (ROUNDS * 1000);
}

async function baseline() {
  const m = new BaselineInteractionManager({ maxPendingTotal: 1e6, interactionTimeoutMs: 0 });
  const ids = [];
  m.on('interaction-request', (i) => ids.push(i.id));
  m.on('interaction-resolved', () => {});
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    ids.length = 0;
    const all = new Array(1000);
    for (let i = 0; i < 1000; i++) all[i] = m.requestInteraction({ type: i % 3 ? 'permission' : 'ask-user', sessionId: `session-${i % 50}`, data: { i }, metadata: { i } });
    for (const id of ids) m.resolveInteraction(id, 1);
    await Promise.all(all);
  }
  return ((performance.now() - started) * 1e6) / (ROUNDS * 1000);
}

(async () => {
  floor();
  await baseline(); // warm-up
  const f = floor();
  const b = await baseline();
  console.log(`native crossings alone (request + resolve into the binding): ${f.toFixed(0)} ns per cycle`);
  console.log(`pure-JS baseline, whole cycle:                            ${b.toFixed(0)} ns per cycle`);
  console.log(`a cycle 1.3x faster than the baseline must take at most    ${(b / 1.3).toFixed(0)} ns`);
})();
