'use strict';
// Cluster mode fences a process that cannot prove it is alive: paused (SIGSTOP: a GC, a
// debugger) past its owner timeout, it ends its own interactions OWNER_GONE, as the others'
// reaper does, instead of settling them another way when it wakes. One ending per id, the same
// on every process, once.

const { startRedis } = require('../scripts/redis-server.js');
const { spawnHosts, until, killAll } = require('./support/cluster.js');

const HEARTBEAT = 200;
const OWNER_TIMEOUT = 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let redis;
let round = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  killAll();
  await redis.stop();
});
afterEach(() => killAll());

const endings = (h, id) => h.events.filter((e) => e.name !== 'interaction-request' && e.payload.interactionId === id).map((e) => `${e.name}:${e.payload.code ?? ''}`);

test('paused past its owner timeout: every process, the owner too, ends its prompts OWNER_GONE, once', async () => {
  round += 1;
  const [a, b] = await spawnHosts(2, { redisUrl: redis.url, prefix: `fence${round}`, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
  // Timeouts that pass while it is paused: waking, it would time them out instead.
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await a.call('request', { type: 't', sessionId: 's1', timeoutMs: 1500 }));
  await until(() => ids.every((id) => b.named('interaction-request').some((e) => e.payload.id === id)), 5000, 'the requests on b');
  a.kill('SIGSTOP');
  await sleep(OWNER_TIMEOUT + 3 * HEARTBEAT + 800);
  // The reaper on b ended them while a was paused.
  await until(() => ids.every((id) => endings(b, id).length === 1), 5000, 'OWNER_GONE on b');
  a.kill('SIGCONT');
  await until(() => ids.every((id) => a.settled.get(id)), 5000, "the owner's promises");
  await sleep(4 * HEARTBEAT);
  for (const id of ids) {
    expect(a.settled.get(id)).toMatchObject({ ok: false, code: 'OWNER_GONE' });
    expect(endings(a, id)).toEqual(['interaction-rejected:OWNER_GONE']);
    expect(endings(b, id)).toEqual(['interaction-rejected:OWNER_GONE']);
  }
  // It rejoins: a new prompt is shared and answerable from b.
  const id = await a.call('request', { type: 't', sessionId: 's2', timeoutMs: 60_000 });
  await until(() => b.named('interaction-request').some((e) => e.payload.id === id), 5000, 'the new request on b');
  expect(await b.call('resolve', { id, response: 'ok' })).toEqual({ success: true });
});

test('paused for less than its lease: nothing is fenced, nothing reaped', async () => {
  round += 1;
  const [a, b] = await spawnHosts(2, { redisUrl: redis.url, prefix: `fence${round}`, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
  const id = await a.call('request', { type: 't', sessionId: 's1', timeoutMs: 60_000 });
  await until(() => b.named('interaction-request').some((e) => e.payload.id === id), 5000, 'the request on b');
  a.kill('SIGSTOP');
  await sleep(400);
  a.kill('SIGCONT');
  await sleep(3 * HEARTBEAT);
  expect(endings(a, id)).toEqual([]);
  expect(endings(b, id)).toEqual([]);
  expect(await b.call('resolve', { id, response: 'ok' })).toEqual({ success: true });
  await until(() => a.settled.get(id), 5000, 'the owner promise');
  expect(a.settled.get(id)).toMatchObject({ ok: true, value: 'ok' });
});
