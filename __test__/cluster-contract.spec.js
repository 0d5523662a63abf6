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

test('(c) a session that is not well-formed UTF-16 matches no session and names none, on every process (nothing is converted)', async () => {
  const lone = 'u\uD800';
  const replaced = 'u\uFFFD';
  // Single-process mode: a stranger.
  const single = new InteractionManager({ logger: quiet });
  let sid;
  single.once('interaction-request', (e) => (sid = e.id));
  single.requestInteraction({ type: 't', sessionId: replaced }).catch(() => {});
  expect(single.resolveInteraction(sid, 1, lone)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
  expect(single.getPendingInteractions([lone])).toEqual([]);
  single.removeSession(lone);
  expect(single.getPendingCount()).toBe(1);
  single.shutdown();

  const [a, b] = await pair();
  try {
    const r = await request(a, b, { type: 't', sessionId: replaced });
    // From another process and from the owner itself.
    expect(await b.resolveInteraction(r.id, 'b', lone)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(await a.resolveInteraction(r.id, 'a', lone)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(await b.getPendingInteractions([lone])).toEqual([]);
    await b.removeSession(lone);
    await b.detachSession(lone, { graceMs: 50 });
    expect(await b.attachSession(lone)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Still pending, still shared.
    expect(a.getPendingCount()).toBe(1);
    expect((await b.getPendingInteractions([replaced])).map((x) => x.id)).toEqual([r.id]);
    expect(await b.resolveInteraction(r.id, 'b', replaced)).toEqual({ success: true });
    await expect(r.promise).resolves.toBe('b');
    // An id that is not well-formed: unknown, as in single-process mode.
    expect(await b.resolveInteraction(`${r.id.slice(0, 35)}\uD800`, 1)).toMatchObject({ success: false, error: 'invalid_or_decided' });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('(c) the link itself refuses what is not well-formed, never converts it: a write is dropped and reported, a call throws', async () => {
  const [a, b, prefix] = await pair();
  const deliveries = [];
  const link = new native.RedisLink({ redisUrl: redis.url, prefix, instanceId: 'raw', incarnation: 'raw-1', heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT }, (batch) => deliveries.push(...batch));
  try {
    const r = await request(a, b, { type: 't', sessionId: 'u\uFFFD' });
    link.start(1);
    await until(() => deliveries.includes('reply'), 5000, 'the start');
    // `S <session>`: remove the session on every process.
    const fields = ['S', 'u\uD800'];
    link.write(fields.join(''), Uint32Array.from(fields.map((f) => f.length)));
    await until(() => deliveries.some((d) => /well-formed/.test(d)), 5000, 'the refusal');
    expect(() => link.claim(2, r.id, 'su\uD800', 'resolve', '1')).toThrow(/well-formed/);
    expect(() => link.list(3, ['u\uD800'])).toThrow(/well-formed/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(a.getPendingCount()).toBe(1);
    expect((await b.getPendingInteractions(['u\uFFFD'])).map((x) => x.id)).toEqual([r.id]);
  } finally {
    link.close(9);
    await Promise.all([a.close(), b.close()]);
  }
});

test('(b) an owner reaped while it was cut off still answers its own promise: the tombstone is for the others', async () => {
  const [a, b, prefix] = await pair();
  try {
    const r = await request(a, b, { type: 't', sessionId: 's' });
    // What a reap leaves while the owner is cut off: no record, its id in gone.
    redis.cli('DEL', `${prefix}:rec:${r.id}`);
    redis.cli('ZADD', `${prefix}:gone`, String(Date.now()), r.id);
    expect(await b.resolveInteraction(r.id, 'b', 's')).toMatchObject({ success: false, settledAs: 'OWNER_GONE' });
    expect(await a.resolveInteraction(r.id, 'a', 's')).toEqual({ success: true });
    await expect(r.promise).resolves.toBe('a');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

describe('host processes', () => {
  let hosts;
  let prefix;
  afterEach(async () => {
    await Promise.all(hosts.filter((h) => h.child.exitCode === null && h.child.signalCode === null).map((h) => h.call('close').then(() => h.exit)));
    hosts = undefined;
  });

  test('(b) after a reap, a late answer, reject or touch learns OWNER_GONE, as single-process mode remembers settlements (its last 10k, 10 minutes)', async () => {
    round += 1;
    prefix = `c${round}`;
    hosts = await spawnHosts(2, { redisUrl: redis.url, prefix, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
    const [a, b] = hosts;
    // What earlier reaps left: 9999 recent tombstones and one older than 10 minutes.
    const now = Date.now();
    const args = [];
    for (let i = 0; i < 9999; i++) args.push(String(now - 60_000 + i), `earlier-${i}`);
    redis.cli('ZADD', `${prefix}:gone`, String(now - 11 * 60_000), 'too-old', ...args);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await a.call('request', { type: 'doomed', sessionId: 's' }));
    await until(() => b.named('interaction-request').length === 3, 5000, 'requests');
    a.kill('SIGKILL');
    await a.exit;
    await until(() => b.named('interaction-rejected').length === 3, 10_000, 'OWNER_GONE');
    const rejectedAt = b.named('interaction-rejected')[0].payload.rejectedAt;
    const gone = { success: false, error: 'invalid_or_decided', settledAs: 'OWNER_GONE', settledAt: rejectedAt };
    expect(await b.call('resolve', { id: ids[0], response: 1, session: 's' })).toEqual(gone);
    expect(await b.call('reject', { id: ids[1], reason: 'late' })).toEqual(gone);
    expect(await b.call('touch', { id: ids[2] })).toEqual(gone);
    // Bounded as single-process mode's memory: the last 10000, none older than 10 minutes.
    expect(Number(redis.cli('ZCARD', `${prefix}:gone`))).toBe(10_000);
    expect(redis.cli('ZSCORE', `${prefix}:gone`, 'too-old')).toBe('');
    expect(redis.cli('ZSCORE', `${prefix}:gone`, 'earlier-0')).toBe('');
    expect(redis.cli('ZSCORE', `${prefix}:gone`, 'earlier-2')).not.toBe('');
    const pttl = Number(redis.cli('PTTL', `${prefix}:gone`));
    expect(pttl).toBeGreaterThan(9 * 60_000);
    expect(pttl).toBeLessThanOrEqual(10 * 60_000);
  });

  test('(d) a listing follows one clock (Redis), not each process\'s wall clock, also after Redis restarted; requestedAt stays the owner\'s Date.now()', async () => {
    round += 1;
    prefix = `c${round}`;
    const config = { redisUrl: redis.url, prefix, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT };
    hosts = await spawnHosts(3, config);
    const [a, , c] = hosts;
    // b's clock is a minute behind.
    const b = await spawnHost({ ...config, instanceId: 'late-clock', clockSkewMs: -60_000 }).ready;
    hosts.push(b);
    const first = await a.call('request', { type: 't', sessionId: 's' });
    await until(() => b.named('interaction-request').length === 1 && c.named('interaction-request').length === 1, 5000, 'the first');
    const second = await b.call('request', { type: 't', sessionId: 's' });
    await until(() => a.named('interaction-request').length === 2 && c.named('interaction-request').length === 2, 5000, 'the second');
    const third = await a.call('request', { type: 't', sessionId: 's' });
    await until(() => c.named('interaction-request').length === 3, 5000, 'the third');
    for (const h of [a, b, c]) {
      const listed = await h.call('list', { sessions: ['s'] });
      expect(listed.map((r) => r.id)).toEqual([first, second, third]);
      // The owner's own clock: b's request says it was made a minute before a's first.
      expect(listed[1].requestedAt).toBeLessThan(listed[0].requestedAt - 50_000);
    }
    // Redis restarted empty: every process publishes its records again, each in its own place.
    await redis.stop();
    await until(async () => !(await a.call('metrics')).up && !(await b.call('metrics')).up, 5000, 'Redis down');
    await redis.start();
    await until(async () => {
      const ups = await Promise.all([a, b, c].map((h) => h.call('metrics')));
      return ups.every((m) => m.up) && (await c.call('list', { sessions: ['s'] })).length === 3;
    }, 10_000, 'the records published again');
    expect((await c.call('list', { sessions: ['s'] })).map((r) => r.id)).toEqual([first, second, third]);
  });
});
