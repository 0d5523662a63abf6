'use strict';
// npm run soak -- --minutes N (or --seconds N): a steady, realistic mix against one manager:
// answers after a human-like delay, sessions that vanish (removeSession), prompts left to time
// out, aborted tool calls, and reconnect listings. Samples pending, heap, external and rss after
// forced GC every few seconds, prints them, and fails on a leak:
//  - always: an interaction left unsettled; a `data` object not collected once everything is
//    settled (FinalizationRegistry, every one registered); the JS heap + external slope after
//    warm-up over --max-slope-kib-per-min;
//  - only on runs of 5 minutes or more (npm run soak): the rss slope over 8x that limit. Over
//    a short run on a loaded 2-core machine the rss slope measures the allocator warming up,
//    not a leak (it was 4.3 MiB/min over 45 s on a healthy build).
// --leak-every N keeps every Nth interaction's request payload (its data and metadata), as a
// manager that leaked records would: the run must then fail (__test__/soak-criterion.spec.js).
const { parseArgs } = require('node:util');
const { InteractionManager } = require('..');

if (typeof gc !== 'function') {
  console.error('run with node --expose-gc (npm run soak does)');
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    rate: { type: 'string', default: '2000' },
    'max-slope-kib-per-min': { type: 'string', default: '512' },
    'leak-every': { type: 'string' },
  },
});
const seconds = values.seconds ? Number(values.seconds) : Number(values.minutes ?? 1) * 60;
const RATE = Number(values.rate);
// A short run samples every second: with a 3 s step, the slope of 7 samples over 22 s moved by
// more than the limit on a loaded machine with nothing leaking.
const SAMPLE_MS = seconds <= 120 ? 1000 : 10_000;
// rss settles later than the JS heap (allocator and V8 space growth): half the run, at most 2 min.
const WARMUP_MS = Math.min(120_000, (seconds * 1000) / 2);
const MAX_SLOPE = Number(values['max-slope-kib-per-min']) * 1024; // bytes per minute
const JUDGE_RSS = seconds >= 300;
const LEAK_EVERY = values['leak-every'] ? Number(values['leak-every']) : 0;
const leaked = [];
const watched = { registered: 0, collected: 0 };
const collectedProbe = new FinalizationRegistry(() => watched.collected++);

const m = new InteractionManager({ interactionTimeoutMs: 1000, maxPendingTotal: 50_000 });
const ids = new Map(); // id -> session
m.on('interaction-request', (i) => ids.set(i.id, i.sessionId));
if (LEAK_EVERY > 0) {
  let seen = 0;
  m.on('interaction-request', (i) => {
    if (++seen % LEAK_EVERY === 0) leaked.push(i);
  });
}
const forget = (e) => ids.delete(e.interactionId);
m.on('interaction-resolved', forget);
m.on('interaction-rejected', forget);

const counts = { requested: 0, answered: 0, rejected: 0 };
let n = 0;
function burst() {
  const perTick = RATE / 100;
  for (let i = 0; i < perTick; i++) {
    const k = n++;
    const session = `session-${k % 500}`;
    const ac = k % 10 === 7 ? new AbortController() : null;
    const payload = { toolName: 'Bash', input: { command: `echo ${k}`, context: 'x'.repeat(256) } };
    collectedProbe.register(payload, k);
    watched.registered++;
    let id;
    m.once('interaction-request', (r) => (id = r.id));
    m.requestInteraction({ type: ['permission', 'plan-approval', 'ask-user'][k % 3], sessionId: k % 20 === 0 ? null : session, data: payload, signal: ac?.signal })
      .then(() => counts.answered++, () => counts.rejected++);
    counts.requested++;
    const fate = k % 10;
    if (fate < 5) setTimeout(() => m.resolveInteraction(id, { behavior: 'allow' }, session), 20 + (k % 200));
    else if (fate === 5) setTimeout(() => m.removeSession(session), 50);
    else if (fate === 7) setTimeout(() => ac.abort(), 30);
    else if (fate === 8) setTimeout(() => m.getPendingInteractions([session], 'permission'), 10);
    // fates 6 and 9: left to time out (1 s)
  }
}

function sample(started) {
  for (let i = 0; i < 3; i++) gc();
  const u = process.memoryUsage();
  return { t: Date.now() - started, pending: m.getPendingCount(), heap: u.heapUsed, external: u.external, rss: u.rss };
}

function slope(points, key) {
  const xs = points.map((p) => p.t / 60_000);
  const ys = points.map((p) => key(p));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const mb = (b) => (b / 1048576).toFixed(2);
const started = Date.now();
const samples = [];
const load = setInterval(burst, 10);
const sampler = setInterval(() => {
  const s = sample(started);
  samples.push(s);
  console.log(`${(s.t / 1000).toFixed(0).padStart(5)} s  pending ${String(s.pending).padStart(6)}  heap ${mb(s.heap)} MB  external ${mb(s.external)} MB  rss ${mb(s.rss)} MB  requested ${counts.requested}`);
}, SAMPLE_MS);

setTimeout(async () => {
  clearInterval(load);
  clearInterval(sampler);
  const steady = samples.filter((s) => s.t >= WARMUP_MS);
  const jsSlope = slope(steady, (s) => s.heap + s.external);
  const rssSlope = slope(steady, (s) => s.rss);
  await new Promise((r) => setTimeout(r, 1500)); // let the last timeouts fire
  m.shutdown();
  await new Promise((r) => setImmediate(r));
  // Everything is settled: every data object must now be collectable.
  for (let i = 0; i < 20 && watched.collected < watched.registered; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const settled = counts.answered + counts.rejected;
  const kept = watched.registered - watched.collected;
  console.log(`\n${counts.requested} requested, ${counts.answered} answered, ${counts.rejected} rejected, ${counts.requested - settled} unsettled; ids still tracked by listeners: ${ids.size}`);
  console.log(`data objects: ${watched.registered} registered, ${kept} not collected after everything settled`);
  console.log(`after warm-up (${steady.length} samples): heap+external slope ${(jsSlope / 1024).toFixed(1)} KiB/min (limit ${MAX_SLOPE / 1024}), rss slope ${(rssSlope / 1024).toFixed(1)} KiB/min (${JUDGE_RSS ? `limit ${(MAX_SLOPE * 8) / 1024}` : 'reported only: run of under 5 minutes'})`);
  const failures = [];
  if (steady.length < 3) failures.push('too few samples after warm-up');
  if (settled !== counts.requested) failures.push('interactions left unsettled');
  if (kept > 0) failures.push(`${kept} data objects not collected`);
  if (jsSlope > MAX_SLOPE) failures.push('heap+external keeps growing');
  if (JUDGE_RSS && rssSlope > MAX_SLOPE * 8) failures.push('rss keeps growing');
  const ok = failures.length === 0;
  console.log(ok ? 'soak: memory flat, every interaction settled, every data object collected' : `soak: FAILED (${failures.join('; ')})`);
  process.exit(ok ? 0 : 1);
}, seconds * 1000);
