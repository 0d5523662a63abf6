'use strict';
// Cluster mode's inbox streams: every answer, touch and session-wide request routed to an owner
// goes through its inbox stream `node:<id>:inbox`; the owner's reader trims what it has read and
// handed to JS, so the stream holds only what is still unread, and it never drops an unread entry
// (it resumes from the last id it saw after a dropped connection). A real redis-server, two host
// processes (fixtures/cluster-host.cjs).

const { startRedis } = require('../scripts/redis-server.js');
const { spawnHosts, until, killAll } = require('./support/cluster.js');

const HEARTBEAT = 200;
const OWNER_TIMEOUT = 1000;
const N = 300;

let redis;
let hosts;
let prefix;
let round = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  killAll();
  await redis.stop();
});
beforeEach(async () => {
  round += 1;
  prefix = `in${round}`;
  hosts = await spawnHosts(2, { redisUrl: redis.url, prefix, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
});
afterEach(async () => {
  await Promise.all(hosts.filter((h) => h.child.exitCode === null).map((h) => h.call('close').then(() => h.exit)));
  for (const h of hosts) expect(await h.exit).toEqual({ code: 0, signal: null });
});

const inboxLength = () => Number(redis.cli('XLEN', `${prefix}:node:host0:inbox`));

test(`consumed inbox entries are trimmed once applied: after ${N} routed answers the owner's inbox is back to 0`, async () => {
  const [a, b] = hosts;
  const ids = [];
  for (let i = 0; i < N; i++) ids.push(await a.call('request', { type: 'inbox', sessionId: `s${i % 10}`, data: i }));
  await until(() => b.named('interaction-request').length === N, 5000, 'the requests');
  // Touches and a detach/attach go through the inbox too.
  expect(await b.call('touch', { id: ids[0] })).toEqual({ success: true });
  await b.call('detach', { session: 's0', graceMs: 60_000 });
  expect(await b.call('attach', { session: 's0' })).toBe(true);
  const answers = await Promise.all(ids.map((id, i) => b.call('resolve', { id, response: i, session: `s${i % 10}` })));
  expect(answers.every((r) => r.success)).toBe(true);
  await until(() => ids.every((id) => a.settled.has(id)), 10_000, 'every answer');
  expect(ids.map((id) => a.settled.get(id).value)).toEqual(ids.map((_, i) => i));
  await until(() => inboxLength() === 0, 3000, `the inbox to be trimmed (XLEN ${inboxLength()})`);
});

test('the owner reader reconnecting while answers stream in: every one applied once, then trimmed', async () => {
  const [a, b] = hosts;
  const ids = [];
  for (let i = 0; i < N; i++) ids.push(await a.call('request', { type: 'drop', sessionId: `s${i % 10}`, data: i }));
  await until(() => b.named('interaction-request').length === N, 5000, 'the requests');
  const reader = () =>
    redis
      .cli('CLIENT', 'LIST')
      .split('\n')
      .filter((l) => / name=interactions-reader-host0 /.test(l))
      .map((l) => /(?:^|\s)id=(\d+)\s/.exec(l)[1]);
  // 30 batches of 10 answers, 10 ms apart, without waiting for them; the owner's reading
  // connection is dropped before batches 5, 15 and 25, while earlier ones are being read and
  // trimmed.
  const answers = [];
  for (let w = 0; w < N / 10; w++) {
    if (w % 10 === 5) for (const cid of reader()) redis.cli('CLIENT', 'KILL', 'ID', cid);
    answers.push(...ids.slice(w * 10, w * 10 + 10).map((id, j) => b.call('resolve', { id, response: w * 10 + j, session: `s${(w * 10 + j) % 10}` })));
    await new Promise((r) => setTimeout(r, 10));
  }
  const results = await Promise.all(answers);
  // A dropped connection counts as an outage, after which the owner republishes its records
  // (src/cluster/writer.rs resync): an answer claimed meanwhile can find no record and be
  // refused. It was not routed, so its prompt is still pending: it is given again.
  for (const [i, id] of ids.entries()) {
    if (results[i].success) continue;
    expect(results[i]).toEqual({ success: false, error: 'invalid_or_decided' });
    await until(async () => (await b.call('resolve', { id, response: i, session: `s${i % 10}` })).success, 5000, 'a refused answer to be taken');
  }
  await until(() => ids.every((id) => a.settled.has(id)), 10_000, `every routed answer (${a.settled.size} of ${N})`);
  expect(ids.map((id) => a.settled.get(id).value)).toEqual(ids.map((_, i) => i));
  await until(() => inboxLength() === 0, 3000, `the inbox to be trimmed (XLEN ${inboxLength()})`);
  expect(await a.call('pending')).toBe(0);
});
