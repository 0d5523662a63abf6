'use strict';
// Cluster mode: one live process per instanceId. Each connect takes the instanceId with an
// incarnation token of its own (the value of its liveness key `node:<id>`, renewed by its
// heartbeats): a restart reaps the previous incarnation's interactions (OWNER_GONE) at connect, a
// second live process is refused (INSTANCE_ID_IN_USE), and a previous incarnation that wakes up
// cannot touch the new one's records. A real redis-server, host processes
// (fixtures/cluster-host.cjs).

const { startRedis } = require('../scripts/redis-server.js');
const { spawnHost, until, killAll } = require('./support/cluster.js');
const { ClusterInteractionManager, ClusterError, InteractionError } = require('..');

const HEARTBEAT = 200;
// Twice the other cluster specs': a process of this spec that a loaded machine holds up for most
// of a second must not lose its lease (that is cluster-fence.spec's subject, not this one's).
const OWNER_TIMEOUT = 2000;
const quiet = { debug() {}, warn() {}, error() {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let redis;
let prefix;
let round = 0;
let started = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  killAll();
  await redis.stop();
});
beforeEach(() => {
  round += 1;
  prefix = `id${round}`;
  started = [];
});
afterEach(async () => {
  // A process left stopped by a failed test would never answer its close.
  for (const h of started) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGCONT');
  const running = started.filter((h) => h.child.exitCode === null && h.child.signalCode === null);
  await Promise.all(running.map((h) => h.ready.then(() => h.call('close')).then(() => h.exit, () => h.exit)));
});

function host(instanceId) {
  const h = spawnHost({ redisUrl: redis.url, prefix, instanceId, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
  h.ready.catch(() => {});
  started.push(h);
  return h;
}

// The OWNER_GONE payloads in the events stream (redis-cli prints one field a line).
function ownerGone() {
  return redis
    .cli('XRANGE', `${prefix}:events`, '-', '+')
    .split('\n')
    .filter((l) => l.includes('"OWNER_GONE"'))
    .map((l) => JSON.parse(l));
}

const records = () => redis.keys(prefix).filter((k) => /:(rec|own|ses):/.test(k));

test("a restart with the same instanceId reaps the previous incarnation's interactions (OWNER_GONE) at connect", async () => {
  const old = await host('same').ready;
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await old.call('request', { type: 'restart', sessionId: 's', data: i }));
  await until(() => records().filter((k) => k.includes(':rec:')).length === 3, 5000, 'the records');
  old.kill('SIGKILL');
  await old.exit;
  const killedAt = Date.now();
  // No other process is connected: only the new incarnation can reap them, and it does at connect.
  const fresh = await host('same').ready;
  // It waited for the previous incarnation's liveness key to expire: at most ownerTimeoutMs
  // (plus the start of a Node.js process and a loaded machine's slack).
  expect(Date.now() - killedAt).toBeLessThanOrEqual(OWNER_TIMEOUT + 2000);
  expect(records()).toEqual([]);
  const gone = ownerGone();
  expect(gone.map((e) => e.interactionId).sort()).toEqual([...ids].sort());
  expect(gone.every((e) => e.sessionId === 's' && e.reason === 'Owner process gone')).toBe(true);

  // Another process lists none of them, and an answer to one is not told `{ success: true }`.
  const watcher = await host('watcher').ready;
  expect(await watcher.call('list', { sessions: ['s'] })).toEqual([]);
  expect(await watcher.call('resolve', { id: ids[0], response: 1, session: 's' })).toMatchObject({ success: false, error: 'invalid_or_decided' });
  // The new incarnation works as any process.
  const id = await fresh.call('request', { type: 'restart', sessionId: 's' });
  await until(() => watcher.named('interaction-request').length === 1, 5000, 'the new request');
  expect(await watcher.call('resolve', { id, response: 'new', session: 's' })).toEqual({ success: true });
  await until(() => fresh.settled.get(id), 5000, 'the answer');
  expect(fresh.settled.get(id).value).toBe('new');
  expect(fresh.settled.size).toBe(1);
});

test('a second live process with the same instanceId is refused at connect (INSTANCE_ID_IN_USE); the first keeps its interactions', async () => {
  const first = await host('twin').ready;
  const watcher = await host('watcher').ready;
  const id = await first.call('request', { type: 'twin', sessionId: 's' });
  await until(() => watcher.named('interaction-request').length === 1, 5000, 'the request');

  // A host process: its connect rejects, it exits 1.
  const second = host('twin');
  const err = await second.ready.then(
    () => null,
    (e) => e,
  );
  expect(err).not.toBeNull();
  expect(err.code).toBe('INSTANCE_ID_IN_USE');
  expect(err.message).toMatch(/instanceId "twin" is in use by another live process/);
  expect((await second.exit).code).toBe(1);
  // In this process: a ClusterError (an InteractionError too), decided within about a heartbeat.
  const t0 = Date.now();
  const direct = await ClusterInteractionManager.connect({ redisUrl: redis.url, prefix, instanceId: 'twin', heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT, logger: quiet }).then(
    (im) => im.close().then(() => null),
    (e) => e,
  );
  expect(direct).toBeInstanceOf(ClusterError);
  expect(direct).toBeInstanceOf(InteractionError);
  expect(direct.code).toBe('INSTANCE_ID_IN_USE');
  expect(Date.now() - t0).toBeLessThanOrEqual(OWNER_TIMEOUT);

  // The refused ones changed nothing: past ownerTimeoutMs and more heartbeats, the first's
  // prompt is still listed, nobody saw it end, and an answer reaches it.
  await sleep(OWNER_TIMEOUT + 3 * HEARTBEAT);
  expect(watcher.named('interaction-rejected')).toEqual([]);
  expect((await watcher.call('list', { sessions: ['s'] })).map((r) => r.id)).toEqual([id]);
  expect(await watcher.call('resolve', { id, response: 'ok', session: 's' })).toEqual({ success: true });
  await until(() => first.settled.get(id), 5000, 'the answer');
  expect(first.settled.get(id)).toMatchObject({ ok: true, value: 'ok' });
});

test("a previous incarnation that wakes up after the restart cannot touch the new one's records", async () => {
  const old = await host('zombie').ready;
  const watcher = await host('watcher').ready;
  const stale = await old.call('request', { type: 'old', sessionId: 's' });
  await until(() => watcher.named('interaction-request').length === 1, 5000, 'the old request');
  // Stopped, not dead: its liveness key expires, it is reaped, a new incarnation takes the id.
  old.kill('SIGSTOP');
  const fresh = await host('zombie').ready;
  await until(() => watcher.named('interaction-rejected').length === 1, 5000, 'OWNER_GONE of the old prompt');
  expect(watcher.named('interaction-rejected')[0].payload).toMatchObject({ interactionId: stale, code: 'OWNER_GONE' });
  const mine = await fresh.call('request', { type: 'new', sessionId: 's' });
  await until(() => watcher.named('interaction-request').length === 2, 5000, 'the new request');

  // It wakes up and writes: a heartbeat, a new record, its old prompt's ending, its close.
  old.kill('SIGCONT');
  const told = [];
  await until(async () => (told.push(...(await old.call('warnings'))), told.some((w) => /instanceId "zombie" was taken by another process/.test(w))), 5000, 'the old incarnation to learn it was replaced');
  const ghost = await old.call('request', { type: 'ghost', sessionId: 's' });
  await old.call('close');
  await old.exit;

  await sleep(OWNER_TIMEOUT + 3 * HEARTBEAT);
  // The new incarnation's liveness key and record are intact; the ghost was never shared; the
  // old prompt ended once (OWNER_GONE), not again with the old process's SHUTDOWN.
  expect(redis.cli('EXISTS', `${prefix}:node:zombie`)).toBe('1');
  expect(watcher.named('interaction-rejected').map((e) => [e.payload.interactionId, e.payload.code])).toEqual([[stale, 'OWNER_GONE']]);
  expect(watcher.named('interaction-request').map((e) => e.payload.id)).not.toContain(ghost);
  expect((await watcher.call('list', { sessions: ['s'] })).map((r) => r.id)).toEqual([mine]);
  expect(await watcher.call('resolve', { id: mine, response: 'still mine', session: 's' })).toEqual({ success: true });
  await until(() => fresh.settled.get(mine), 5000, 'the answer');
  expect(fresh.settled.get(mine).value).toBe('still mine');
});
