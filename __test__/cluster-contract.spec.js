'use strict';
// Cluster mode keeps single-process mode's contract: rejectInteraction has no session check
// (with requireSessionMatch too), a late answer after a reap learns OWNER_GONE, sessions and ids
// are compared exactly (never converted), and listings follow one clock. A real redis-server;
// host processes (fixtures/cluster-host.cjs) where a process must die or run on its own clock.

const { startRedis } = require('../scripts/redis-server.js');
const { spawnHost, spawnHosts, until, killAll } = require('./support/cluster.js');
const native = require('../lib/native.js');
const { ClusterInteractionManager, InteractionManager } = require('..');

const HEARTBEAT = 100;
const OWNER_TIMEOUT = 500;
const quiet = { debug() {}, warn() {}, error() {} };

let redis;
let round = 0;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  killAll();
  await redis.stop();
});

// Two managers of this process on one prefix, as two processes would be.
async function pair(options = {}) {
  round += 1;
  const o = { redisUrl: redis.url, prefix: `c${round}`, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT, logger: quiet, ...options };
  const a = await ClusterInteractionManager.connect({ ...o, instanceId: 'a' });
  const b = await ClusterInteractionManager.connect({ ...o, instanceId: 'b' });
  return [a, b, o.prefix];
}

// Requests on `m` and waits until `other` has heard of it (its record is in Redis).
async function request(m, other, req) {
  let id;
  m.once('interaction-request', (e) => (id = e.id));
  const promise = m.requestInteraction(req);
  promise.catch(() => {});
  await new Promise((resolve) => {
    const seen = (e) => e.id === id && (other.off('interaction-request', seen), resolve());
    other.on('interaction-request', seen);
  });
  return { id, promise };
}

test('(a) rejectInteraction has no session check, with requireSessionMatch too: on the owner and on another process', async () => {
  const single = new InteractionManager({ requireSessionMatch: true, logger: quiet });
  let sid;
  single.once('interaction-request', (e) => (sid = e.id));
  const sp = single.requestInteraction({ type: 't', sessionId: 's' });
  expect(single.rejectInteraction(sid, 'no')).toEqual({ success: true });
  await expect(sp).rejects.toMatchObject({ code: 'REJECTED' });
  single.shutdown();

  const [a, b] = await pair({ requireSessionMatch: true });
  try {
    const mine = await request(a, b, { type: 't', sessionId: 's' });
    expect(await a.rejectInteraction(mine.id, 'not here')).toEqual({ success: true });
    await expect(mine.promise).rejects.toMatchObject({ code: 'REJECTED', message: 'not here' });
    const theirs = await request(a, b, { type: 't', sessionId: 's' });
    expect(await b.rejectInteraction(theirs.id, 'not there')).toEqual({ success: true });
    await expect(theirs.promise).rejects.toMatchObject({ code: 'REJECTED', message: 'not there' });
    // Answers still need the session.
    const answered = await request(a, b, { type: 't', sessionId: 's' });
    expect(await b.resolveInteraction(answered.id, 1)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(await b.resolveInteraction(answered.id, 1, 'other')).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(await b.resolveInteraction(answered.id, 1, 's')).toEqual({ success: true });
    await expect(answered.promise).resolves.toBe(1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

