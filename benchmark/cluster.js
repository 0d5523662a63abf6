'use strict';
// npm run bench -- --cluster: cluster mode on a redis-server started here (a free loopback
// port), RUNS rounds, medians reported:
// - a remote answer to the owner's promise settled: p50 and p99 at 1000 answers/s (target p99 <= 5 ms);
// - a remote answer to its acknowledged `{ success: true }` (the owner's registry decided and
//   answered back): p50 and p99 at the same rate, what the acknowledgement costs the answerer;
// - listing 10k pending interactions owned by 3 processes, from a 4th (target <= 50 ms);
// - the JS thread's time per request, cluster vs single-process (target <= 2x): the median
//   event-loop turn of 200 requests, in fresh processes (benchmark/cluster-node.js).
const { fork } = require('node:child_process');
const { once } = require('node:events');
const os = require('node:os');
const path = require('node:path');
const { ClusterInteractionManager } = require('..');
const { startRedis } = require('../scripts/redis-server.js');

const RUNS = Number(process.env.BENCH_RUNS || 3);
const NODE = path.join(__dirname, 'cluster-node.js');
const ANSWERS = 3000;
const RATE = 1000; // answers per second
const LISTED = 10_000;
const SESSIONS = 100;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const wall = () => performance.timeOrigin + performance.now();

function startNode(role, url, prefix, id) {
  const child = fork(NODE, [role, url, prefix, id], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies = [];
  const waiting = [];
  child.on('message', (m) => (waiting.length ? waiting.shift()(m) : replies.push(m)));
  const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((r) => waiting.push(r)));
  const call = async (op, args) => {
    child.send({ op, args });
    return (await next()).result;
  };
  return { child, next, call };
}

async function latencyRun(url, run) {
  const prefix = `lat${run}`;
  const owner = startNode('owner', url, prefix, 'owner');
  await owner.next();
  const answerer = await ClusterInteractionManager.connect({ redisUrl: url, prefix, instanceId: 'answerer', interactionTimeoutMs: 0 });
  const ids = await owner.call('make', { n: ANSWERS, sessions: ['s'] });
  await sleep(300); // the records written
  const t0 = performance.now();
  const answers = [];
  const acked = [];
  for (let i = 0; i < ids.length; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    const sent = performance.now();
    answers.push(
      answerer.resolveInteraction(ids[i], { sentAt: wall() }, 's').then((r) => {
        if (r.success) acked.push(performance.now() - sent);
        return r;
      }),
    );
  }
  const results = await Promise.all(answers);
  const failed = results.filter((r) => !r.success).length;
  let latencies = [];
  for (let tries = 0; latencies.length < ANSWERS - failed && tries < 100; tries++) {
    await sleep(50);
    latencies = latencies.concat(await owner.call('latencies'));
  }
  await owner.call('close');
  await answerer.close();
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), ack50: quantile(acked, 0.5), ack99: quantile(acked, 0.99), failed, settled: latencies.length };
}

async function listingRun(url, run) {
  const prefix = `list${run}`;
  const sessions = Array.from({ length: SESSIONS }, (_, i) => `session-${i}`);
  const owners = [0, 1, 2].map((k) => startNode('owner', url, prefix, `owner${k}`));
  await Promise.all(owners.map((o) => o.next()));
  await Promise.all(owners.map((o, k) => o.call('make', { n: Math.ceil(LISTED / 3) + (k === 0 ? 0 : 0), sessions })));
  const lister = await ClusterInteractionManager.connect({ redisUrl: url, prefix, instanceId: 'lister' });
  const expected = 3 * Math.ceil(LISTED / 3);
  for (let tries = 0; (await lister.getPendingInteractions(sessions)).length < expected && tries < 100; tries++) await sleep(50);
  const times = [];
  let count = 0;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    count = (await lister.getPendingInteractions(sessions)).length;
    times.push(performance.now() - t0);
  }
  await Promise.all(owners.map((o) => o.call('close')));
  await lister.close();
  return { ms: median(times), count };
}

async function costRun(url, run) {
  const out = {};
  for (const mode of ['single', 'cluster']) {
    const node = startNode(mode, url, `cost${run}`, `cost-${mode}`);
    out[mode] = (await node.next()).result;
    await once(node.child, 'exit');
  }
  return out;
}

async function main() {
  const redis = await startRedis();
  const lat = [];
  const list = [];
  const cost = [];
  for (let run = 0; run < RUNS; run++) {
    lat.push(await latencyRun(redis.url, run));
    list.push(await listingRun(redis.url, run));
    cost.push(await costRun(redis.url, run));
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  await redis.stop();

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const p50 = median(lat.map((l) => l.p50));
  const p99 = median(lat.map((l) => l.p99));
  const ack50 = median(lat.map((l) => l.ack50));
  const ack99 = median(lat.map((l) => l.ack99));
  const listMs = median(list.map((l) => l.ms));
  const single = median(cost.map((c) => c.single));
  const cluster = median(cost.map((c) => c.cluster));
  const ratio = median(cost.map((c) => c.cluster / c.single));
  const rows = [
    [`remote answer → owner promise settled, p50 (${RATE}/s, ${ANSWERS} answers)`, `${p50.toFixed(2)} ms`, '', ''],
    [`remote answer → owner promise settled, p99 (${RATE}/s)`, `${p99.toFixed(2)} ms`, '≤ 5 ms', p99 <= 5],
    [`remote answer → acknowledged { success: true }, p50 (${RATE}/s)`, `${ack50.toFixed(2)} ms`, '', ''],
    [`remote answer → acknowledged { success: true }, p99 (${RATE}/s)`, `${ack99.toFixed(2)} ms`, '≤ 10 ms', ack99 <= 10],
    [`listing ${list[0].count} pending of 3 processes (${SESSIONS} sessions), from a 4th`, `${listMs.toFixed(1)} ms`, '≤ 50 ms', listMs <= 50],
    [`JS-thread time per request: cluster ${cluster.toFixed(2)} µs / single-process ${single.toFixed(2)} µs`, `${ratio.toFixed(2)}×`, '≤ 2×', ratio <= 2],
  ];
  console.log(`Machine: ${os.cpus().length} cores (${cpu}), Node ${process.version}, redis-server on loopback; median of ${RUNS} runs.\n`);
  console.log('| cluster metric | value | target | met |');
  console.log('|---|---|---|---|');
  for (const [label, value, target, met] of rows) console.log(`| ${label} | ${value} | ${target} | ${target === '' ? '' : met ? 'yes' : 'NO'} |`);
  const lost = lat.reduce((n, l) => n + l.failed + (ANSWERS - l.failed - l.settled), 0);
  console.log(`\nAnswers refused or not settled: ${lost} (of ${RUNS * ANSWERS}).`);
  console.log(`Per run: p99 ${lat.map((l) => l.p99.toFixed(2)).join(' / ')} ms; listing ${list.map((l) => l.ms.toFixed(1)).join(' / ')} ms; cost ratio ${cost.map((c) => (c.cluster / c.single).toFixed(2)).join(' / ')}.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
