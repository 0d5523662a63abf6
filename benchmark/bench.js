'use strict';
// npm run bench: native vs the pure-JS baseline, side by side in one run. Each figure is the
// median of RUNS fresh processes, native and baseline interleaved so drift hits both alike.

const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

// npm run bench -- --cluster: cluster mode's figures instead (benchmark/cluster.js).
if (process.argv.includes('--cluster')) {
  require('./cluster.js');
  return;
}

const RUNS = Number(process.env.BENCH_RUNS || 3);
const TARGETS = {
  cycle: { label: 'request→resolve cycle', better: 'higher', target: 1.3 },
  removeSession: { label: 'request→removeSession cycle', better: 'higher', target: 1.3 },
  memory: { label: 'JS memory per pending interaction', better: 'lower', target: 0.5 },
  memoryRss: { label: 'rss per pending interaction', better: 'lower', target: 0.6 },
  cycleListened: { label: 'request→resolve cycle, timeouts listened to', better: 'higher', target: 1.3 },
  memoryListened: { label: 'JS memory per pending interaction, timeouts listened to', better: 'lower', target: 0.5 },
  memoryListenedRss: { label: 'rss per pending interaction, timeouts listened to', better: 'lower', target: 0.6 },
  massTimeout: { label: 'mass timeout: longest loop stall', better: 'lower', target: 20, absolute: 'ms' },
  massTimeoutSettle: { label: 'mass timeout: time to settle all', better: 'lower', target: 1.2 },
  listing: { label: 'listing 50 sessions with a type filter', better: 'higher', target: 1.0 },
  staleSweep: { label: 'stale sweep of 160k: longest loop stall', better: 'lower', target: 20, absolute: 'ms' },
  staleSweepSettle: { label: 'stale sweep of 160k: time to settle all', better: 'lower', target: 1.2 },
};

function once(impl, metric) {
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'run-one.js'), impl, metric], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const fmt = (n) => (n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));

const samples = {};
const add = (metric, impl, v) => ((samples[metric] ??= { native: [], baseline: [] })[impl].push(v));
for (const metric of ['cycle', 'removeSession', 'memory', 'cycleListened', 'memoryListened', 'massTimeout', 'listing', 'staleSweep']) {
  for (let run = 0; run < RUNS; run++) {
    for (const impl of ['baseline', 'native']) {
      const r = once(impl, metric);
      add(metric, impl, r.value);
      if (metric === 'memory') add('memoryRss', impl, r.rss);
      if (metric === 'memoryListened') add('memoryListenedRss', impl, r.rss);
      if (metric === 'massTimeout') add('massTimeoutSettle', impl, r.settledMs);
      if (metric === 'staleSweep') add('staleSweepSettle', impl, r.settledMs);
    }
    process.stderr.write('.');
  }
}
process.stderr.write('\n');

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`Machine: ${os.cpus().length} cores (${cpu}), Node ${process.version}; median of ${RUNS} fresh processes per figure.\n`);
console.log('| metric | native | pure-JS baseline | native / baseline | target | met |');
console.log('|---|---|---|---|---|---|');
let allMet = true;
for (const [metric, t] of Object.entries(TARGETS)) {
  const n = median(samples[metric].native);
  const b = median(samples[metric].baseline);
  const ratio = n / b;
  const met = t.absolute ? n <= t.target : t.better === 'higher' ? ratio >= t.target : ratio <= t.target;
  allMet &&= met;
  const target = t.absolute ? `≤ ${t.target} ${t.absolute}` : `${t.better === 'higher' ? '≥' : '≤'} ${t.target}×`;
  const unit = { cycle: '/s', cycleListened: '/s', removeSession: '/s', memory: ' B', memoryRss: ' B', memoryListened: ' B', memoryListenedRss: ' B', massTimeout: ' ms', massTimeoutSettle: ' ms', listing: '/s', staleSweep: ' ms', staleSweepSettle: ' ms' }[metric];
  console.log(`| ${t.label} | ${fmt(n)}${unit} | ${fmt(b)}${unit} | ${ratio.toFixed(2)}× | ${target} | ${met ? 'yes' : 'NO'} |`);
}
console.log(`\n${allMet ? 'Every target met.' : 'Some targets not met (see the table).'}`);
