'use strict';
// npm run bench:timers: the two ways to wake the JS thread at a deadline, measured side by side.
//  - js:    one unref'd setTimeout armed at the earliest deadline, calling into Rust (the package's design)
//  - tokio: a tokio sleep that calls back through a weak threadsafe function (the alternative)
// Needs the probe addon: npm run bench:timers builds it into target/timer-probe/.

const path = require('node:path');
const { execFileSync } = require('node:child_process');
const native = require('../binding.js');

const probeDir = process.env.TIMER_PROBE_DIR || path.join(__dirname, '..', 'target', 'timer-probe');
const probe = require(path.join(probeDir, 'binding.js'));
const registryOptions = require('./registry-options');

const handle = native.create(() => new Error(), registryOptions({ interactionTimeoutMs: 0, staleThresholdMs: 0 }));

const designs = {
  js: (ms, cb) => {
    const start = performance.now();
    setTimeout(() => {
      native.pendingCount(handle); // the crossing the real design makes when it fires
      cb(performance.now() - start);
    }, ms).unref();
  },
  tokio: (ms, cb) => {
    const start = performance.now();
    probe.tokioWakeAfter(ms, () => cb(performance.now() - start));
  },
};

const keepAlive = setInterval(() => {}, 1000);
const wake = (design, ms) => new Promise((resolve) => designs[design](ms, resolve));
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function lateness(design, ms, n) {
  const late = [];
  for (let i = 0; i < n; i++) late.push((await wake(design, ms)) - ms);
  return { median: quantile(late, 0.5), p99: quantile(late, 0.99) };
}

// CPU of the whole process (both threads for tokio) per wake-up, in µs.
async function perWake(design, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await wake(design, 1);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

function exitsWithPendingWake(design) {
  const script = `
    const probe = require(${JSON.stringify(path.join(probeDir, 'binding.js'))});
    if (${JSON.stringify(design)} === 'js') setTimeout(() => {}, 10000).unref();
    else probe.tokioWakeAfter(10000, () => {});`;
  const start = Date.now();
  execFileSync(process.execPath, ['-e', script], { timeout: 15000 });
  return Date.now() - start;
}

(async () => {
  const rows = [];
  for (const design of ['js', 'tokio']) {
    await lateness(design, 5, 20); // warm-up
    const late = await lateness(design, 5, 200);
    const cost = await perWake(design, 2000);
    rows.push({ design, late, cost, exitMs: exitsWithPendingWake(design) });
  }
  clearInterval(keepAlive);
  console.log(`Node ${process.version}, ${require('node:os').cpus().length} cores\n`);
  console.log('| design | lateness of a 5 ms wake, median / p99 | process CPU per wake-up | process with a pending 10 s wake exits in |');
  console.log('|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.design} | ${r.late.median.toFixed(2)} / ${r.late.p99.toFixed(2)} ms | ${r.cost.toFixed(1)} µs | ${r.exitMs} ms |`);
  }
})();
