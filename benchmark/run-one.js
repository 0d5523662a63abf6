'use strict';
// One figure for one implementation, in a fresh process: node --expose-gc run-one.js <impl> <metric>.
// Prints one JSON line. bench.js runs this several times per figure and takes medians.

const { Bench } = require('tinybench');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { InteractionManager } = require('..');
const { BaselineInteractionManager } = require('./baseline');
const { requestBatch, answerBatch } = require('./workload');

const [impl, metric] = process.argv.slice(2);
const Manager = impl === 'native' ? InteractionManager : BaselineInteractionManager;
const make = (options = {}) => new Manager({ maxPendingTotal: 200_000, ...options });
const noop = () => {};
const tick = () => new Promise((r) => setImmediate(r));

/** Runs `start` and awaits what it returns: the longest event-loop stall meanwhile, measured as
 * the largest gap between the runs of a ref'd 1 ms timer chain (which also keeps the process
 * alive: the package's timers are unref'd), and the time until it settled. */
async function stallWhile(start) {
  const started = performance.now();
  let last = started;
  let stall = 0;
  let timer;
  const probe = () => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
    timer = setTimeout(probe, 1);
  };
  timer = setTimeout(probe, 1);
  await start();
  clearTimeout(timer);
  const settledMs = performance.now() - started;
  stall = Math.max(stall, performance.now() - last);
  return { value: stall, settledMs, unit: 'ms max stall' };
}

async function throughput(fn) {
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  bench.add(metric, fn);
  await bench.run();
  return 1000 / bench.tasks[0].result.latency.p50; // batches per second
}

async function usage() {
  for (let i = 0; i < 4; i++) {
    await tick();
    gc();
  }
  const u = process.memoryUsage();
  return { js: u.heapUsed + u.external, rss: u.rss };
}

async function answerCycle(listened) {
  const m = make();
  m.on('interaction-request', noop);
  m.on('interaction-resolved', noop);
  if (listened) m.on('interaction-rejected', noop);
  const hz = await throughput(() => answerBatch(m));
  return { value: hz * 1000, unit: 'cycles/s' };
}

async function pendingMemory(listened) {
  const m = make({ maxInteractionsPerSession: 1000 });
  if (listened) m.on('interaction-rejected', noop);
  const before = await usage();
  const { all } = requestBatch(m, 100_000, 1000);
  const after = await usage();
  const result = { value: (after.js - before.js) / 1e5, rss: (after.rss - before.rss) / 1e5, unit: 'B/interaction' };
  m.shutdown();
  await Promise.allSettled(all);
  return result;
}

const metrics = {
  // Batches of 1000 concurrent interactions over 50 sessions, listeners on both events.
  cycle: () => answerCycle(false),
  // The same with an interaction-rejected listener too (each request's async context kept).
  cycleListened: () => answerCycle(true),
  // 1000 interactions over 100 sessions, every session removed, rejections awaited.
  async removeSession() {
    const m = make();
    m.on('interaction-rejected', noop);
    const hz = await throughput(async () => {
      const { all } = requestBatch(m, 1000, 100);
      for (let s = 0; s < 100; s++) m.removeSession(`session-${s}`);
      await Promise.allSettled(all);
    });
    return { value: hz * 1000, unit: 'cycles/s' };
  },
  // 100k pending with small data and metadata: bytes per interaction after forced GC.
  memory: () => pendingMemory(false),
  // The same with an interaction-rejected listener: then each interaction keeps its request's
  // async context (an AsyncResource) for its timeout's events, as a setTimeout would.
  memoryListened: () => pendingMemory(true),
  // 100k interactions with the same 200 ms timeout: longest loop stall and time to settle all.
  async massTimeout() {
    const m = make({ maxInteractionsPerSession: 1000 });
    const { all } = requestBatch(m, 100_000, 1000, { timeoutMs: 200 });
    // Attaching 100k reactions is setup, not a stall: do it before the probe starts.
    const allSettled = Promise.allSettled(all);
    return stallWhile(() => allSettled);
  },
  // 160k interactions past the stale threshold, swept by one cleanupStaleInteractions() call:
  // the longest loop stall and the time until all are settled.
  async staleSweep() {
    const m = make({ maxInteractionsPerSession: 1000, interactionTimeoutMs: 0, staleThresholdMs: 50, cleanupIntervalMs: 0 });
    const { all } = requestBatch(m, 160_000, 1000);
    const allSettled = Promise.allSettled(all);
    await new Promise((r) => setTimeout(r, 80));
    return stallWhile(() => {
      m.cleanupStaleInteractions();
      return allSettled;
    });
  },
  // 10k pending over 1000 sessions; list 50 sessions with a type filter.
  async listing() {
    const m = make();
    const { all } = requestBatch(m, 10_000, 1000);
    const wanted = Array.from({ length: 50 }, (_, i) => `session-${i * 20}`);
    let listed = 0;
    const hz = await throughput(() => {
      listed += m.getPendingInteractions(wanted, 'permission').length;
    });
    m.shutdown();
    await Promise.allSettled(all);
    return { value: hz, unit: 'lists/s', listed: listed > 0 };
  },
};

metrics[metric]().then((r) => {
  process.stdout.write(`${JSON.stringify({ impl, metric, ...r })}\n`);
});
