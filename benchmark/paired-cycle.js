'use strict';
// node benchmark/paired-cycle.js <before> <after> [seconds] [--listened]: the request→resolve
// cycle of two built checkouts loaded into one process, in alternating rounds of 10 batches
// (workload.js's answerBatch, as run-one.js's `cycle`), the order
// swapped every round. Prints the median of the paired ratios after/before. On this 2-core VM
// the fresh-process figures of one tree move by 20-30 % between runs (steal time); paired
// rounds see the same machine, and two copies of one tree give 0.99-1.00.
const path = require('node:path');
const { answerBatch: batch } = require('./workload');

const args = process.argv.slice(2);
const listened = args.includes('--listened');
const [before, after, seconds = '12'] = args.filter((a) => a !== '--listened');
if (!before || !after) {
  console.error('usage: node benchmark/paired-cycle.js <before> <after> [seconds] [--listened]');
  process.exit(2);
}
const noop = () => {};
const managers = [before, after].map((tree) => {
  const { InteractionManager } = require(path.resolve(tree));
  const m = new InteractionManager({ maxPendingTotal: 200_000 });
  m.on('interaction-request', noop);
  m.on('interaction-resolved', noop);
  if (listened) m.on('interaction-rejected', noop);
  return m;
});

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

(async () => {
  for (let k = 0; k < 20; k++) for (const m of managers) await batch(m); // warm-up
  const rates = [[], []];
  const end = Date.now() + Number(seconds) * 1000;
  for (let round = 0; Date.now() < end; round++) {
    for (const j of round % 2 ? [1, 0] : [0, 1]) {
      const t = performance.now();
      for (let k = 0; k < 10; k++) await batch(managers[j]);
      rates[j].push(10_000 / ((performance.now() - t) / 1000));
    }
  }
  const ratios = rates[1].map((r, i) => r / rates[0][i]);
  console.log(`${process.version}${listened ? ', timeouts listened to' : ''}: cycles/s before ${Math.round(median(rates[0]))}, after ${Math.round(median(rates[1]))}; after/before, median of ${ratios.length} paired rounds: ${median(ratios).toFixed(3)}`);
  for (const m of managers) m.shutdown();
})();
