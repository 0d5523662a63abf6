'use strict';
// Cluster mode: `{ success: true }` for an answer given on another process means the owner's
// promise got this very answer. The owner's registry decides every answer (its own, its
// timeouts, routed ones), and a routed answer waits for the owner's acknowledgement.

const { startRedis } = require('../scripts/redis-server.js');
const { spawnHosts, until, killAll } = require('./support/cluster.js');

const HEARTBEAT = 200;
const OWNER_TIMEOUT = 1500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let redis;
let hosts;
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
  hosts = await spawnHosts(2, { redisUrl: redis.url, prefix: `acks${round}`, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
});
afterEach(() => {
  killAll();
  hosts = undefined;
});

const seen = (h, id) => until(() => h.named('interaction-request').some((e) => e.payload.id === id), 5000, 'the request on the other process');

test("an answer claimed after the owner's timeout, before Redis heard of it: told how it ended, not success", async () => {
  const [a, b] = hosts;
  // The owner's timeout fires; its listener keeps the thread busy, so its ending is not yet in
  // Redis when B answers: B's claim finds the record open and routes the answer.
  await a.call('busyOnEnding', { ms: 1500 });
  const id = await a.call('request', { type: 'confirm', sessionId: 's1', timeoutMs: 300 });
  await seen(b, id);
  await sleep(600);
  const result = await b.call('resolve', { id, response: 'too late' });
  await until(() => a.settled.get(id), 5000, 'the owner promise');
  expect(a.settled.get(id)).toMatchObject({ ok: false, code: 'TIMEOUT' });
  // Before acknowledgements: { success: true }, and the answer settled nothing.
  expect(result).toMatchObject({ success: false, error: 'invalid_or_decided', settledAs: 'TIMEOUT' });
});

test('an answer routed to an owner whose interaction then times out is told how it ended', async () => {
  const [a, b] = hosts;
  const id = await a.call('request', { type: 'confirm', sessionId: 's1', timeoutMs: 400 });
  await seen(b, id);
  // The owner stops (a GC pause, a debugger) for less than ownerTimeoutMs; meanwhile B's answer
  // is routed to it and its timeout passes.
  a.kill('SIGSTOP');
  const remote = b.call('resolve', { id, response: 'late' });
  await sleep(700);
  a.kill('SIGCONT');
  const result = await remote;
  await until(() => a.settled.get(id), 5000, 'the owner promise');
  const settled = a.settled.get(id);
  // Whichever came first on the owner, the answerer is told the truth.
  if (settled.ok) {
    expect(settled.value).toBe('late');
    expect(result).toEqual({ success: true });
  } else {
    expect(settled.code).toBe('TIMEOUT');
    expect(result).toMatchObject({ success: false, error: 'invalid_or_decided', settledAs: 'TIMEOUT' });
  }
});

test('an owner that does not acknowledge within ownerTimeoutMs + heartbeatMs: OWNER_UNREACHABLE, never success', async () => {
  const [a, b] = hosts;
  const id = await a.call('request', { type: 'confirm', sessionId: 's1', timeoutMs: 60_000 });
  await seen(b, id);
  a.kill('SIGSTOP');
  const started = Date.now();
  const result = await b.call('resolve', { id, response: 'unheard' });
  const waited = Date.now() - started;
  expect(result).toEqual({ success: false, error: 'OWNER_UNREACHABLE' });
  expect(waited).toBeGreaterThanOrEqual(OWNER_TIMEOUT + HEARTBEAT - 50);
  a.kill('SIGKILL');
});
