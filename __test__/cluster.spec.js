'use strict';
// Cluster mode against a real redis-server started for this file, with three host processes
// (fixtures/cluster-host.cjs): answers anywhere, every ending shared, the prefix left clean.

const { startRedis } = require('../scripts/redis-server.js');
const { spawnHosts, until, killAll } = require('./support/cluster.js');
const { ClusterInteractionManager } = require('..');

const HEARTBEAT = 200;
const OWNER_TIMEOUT = 1000;

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
  prefix = `t${round}`;
  hosts = await spawnHosts(3, { redisUrl: redis.url, prefix, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
});
afterEach(async () => {
  if (!hosts) return;
  await Promise.all(hosts.filter((h) => h.child.exitCode === null && h.child.signalCode === null).map((h) => h.call('close').then(() => h.exit)));
  for (const h of hosts) expect((await h.exit).code ?? 0).toBe(0);
  hosts = undefined;
});

// Keys a live process keeps: its liveness key and inbox stream, the capped events stream, and
// after a reap the bounded set of the ids it ended (gone).
function onlyLiveness(keys) {
  return keys.filter((k) => !/^t\d+:(node:[^:]+(:inbox)?|events|gone)$/.test(k));
}

const once = (h, name, id) => h.named(name).filter((e) => (e.payload.id ?? e.payload.interactionId) === id).length;

describe('1. an answer on any process settles the owner promise, exactly once', () => {
  test('one answer from another process; every process sees request and resolution once', async () => {
    const [a, b, c] = hosts;
    const id = await a.call('request', { type: 'confirm', sessionId: 's1', data: { q: 'deploy?' } });
    await until(() => b.named('interaction-request').length === 1 && c.named('interaction-request').length === 1, 5000, 'request events');
    expect(b.named('interaction-request')[0].payload).toMatchObject({ id, type: 'confirm', sessionId: 's1', data: { q: 'deploy?' } });
    expect(await b.call('resolve', { id, response: { ok: true }, session: 's1' })).toEqual({ success: true });
    await until(() => a.settled.get(id), 5000, 'the owner promise');
    expect(a.settled.get(id)).toMatchObject({ ok: true, value: { ok: true } });
    await until(() => hosts.every((h) => once(h, 'interaction-resolved', id) === 1), 5000, 'resolved events');
    await new Promise((r) => setTimeout(r, 3 * HEARTBEAT));
    for (const h of hosts) {
      expect(once(h, 'interaction-request', id)).toBe(1);
      expect(once(h, 'interaction-resolved', id)).toBe(1);
    }
    expect(onlyLiveness(redis.keys(prefix))).toEqual([]);
  });

  test('two processes answering the same ids at once: exactly one success each', async () => {
    const [a, b, c] = hosts;
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await a.call('request', { type: 'race', sessionId: 's1', data: i }));
    await until(() => b.named('interaction-request').length === 20 && c.named('interaction-request').length === 20, 5000, 'requests');
    const answers = await Promise.all(ids.flatMap((id) => [b.call('resolve', { id, response: 'b', session: 's1' }), c.call('resolve', { id, response: 'c', session: 's1' }), a.call('resolve', { id, response: 'a', session: 's1' })]));
    for (let i = 0; i < ids.length; i++) {
      const three = answers.slice(3 * i, 3 * i + 3);
      expect(three.filter((r) => r.success).length).toBe(1);
      const winner = ['b', 'c', 'a'][three.findIndex((r) => r.success)];
      await until(() => a.settled.get(ids[i]), 5000, 'settled');
      expect(a.settled.get(ids[i]).value).toBe(winner);
    }
  });

  test('the session check runs inside the claim (requireSessionMatch)', async () => {
    const [a, b] = hosts;
    const id = await a.call('request', { type: 'confirm', sessionId: 'owner-session' });
    await until(() => b.named('interaction-request').length === 1, 5000, 'request');
    expect(await b.call('resolve', { id, response: 1, session: 'someone-else' })).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(await b.call('resolve', { id, response: 1, session: 'owner-session' })).toEqual({ success: true });
    expect(await b.call('resolve', { id, response: 2, session: 'owner-session' })).toMatchObject({ success: false, error: 'invalid_or_decided' });
  });

  test('values JSON cannot hold are refused with a TypeError; an AbortSignal stays local', async () => {
    const [a, b] = hosts;
    const im = await ClusterInteractionManager.connect({ redisUrl: redis.url, prefix, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
    try {
      await expect(im.requestInteraction({ type: 'x', sessionId: 's', data: { n: 1n } })).rejects.toThrow(/data or metadata cannot be serialised to JSON.*BigInt/);
      await expect(im.requestInteraction({ type: 'x', sessionId: 's', metadata: { n: 1n } })).rejects.toThrow(TypeError);
      const cyclic = {};
      cyclic.self = cyclic;
      await expect(im.requestInteraction({ type: 'x', sessionId: 's', data: cyclic })).rejects.toThrow(TypeError);
      expect(im.getPendingCount()).toBe(0);
      const controller = new AbortController();
      let id;
      im.once('interaction-request', (e) => (id = e.id));
      // As JSON.stringify (and the host's WebSocket messages): a function member is left out.
      const p = im.requestInteraction({ type: 'x', sessionId: 's', metadata: { abortSignal: controller.signal, tool: 'rm', log() {} } });
      await until(() => b.named('interaction-request').length === 1, 5000, 'request');
      expect(b.named('interaction-request')[0].payload.metadata).toEqual({ tool: 'rm' });
      expect(b.named('interaction-request')[0].payload).not.toHaveProperty('data');
      await expect(b.call('resolve', { id, response: { n: 1 }, session: 's' })).resolves.toEqual({ success: true });
      await expect(p).resolves.toEqual({ n: 1 });
      const q = im.requestInteraction({ type: 'x', sessionId: 's' });
      await expect(im.resolveInteraction(id, 1n, 's')).rejects.toThrow(/response cannot be serialised/);
      expect(a).toBeDefined();
      im.removeSession('s');
      await expect(q).rejects.toMatchObject({ code: 'SESSION_REMOVED' });
    } finally {
      await im.close();
    }
  });
});

describe('the other calls on any process', () => {
  test('rejectInteraction from another process rejects the owner promise with that reason', async () => {
    const [a, b, c] = hosts;
    const id = await a.call('request', { type: 'confirm', sessionId: 's1' });
    await until(() => b.named('interaction-request').length === 1, 5000, 'request');
    expect(await b.call('reject', { id, reason: 'not today' })).toEqual({ success: true });
    await until(() => a.settled.get(id), 5000, 'the rejection');
    expect(a.settled.get(id)).toMatchObject({ ok: false, code: 'REJECTED', message: 'not today' });
    await until(() => c.named('interaction-rejected').length === 1, 5000, 'the event');
    expect(c.named('interaction-rejected')[0].payload).toMatchObject({ interactionId: id, sessionId: 's1', code: 'REJECTED', reason: 'not today' });
    expect(await c.call('reject', { id, reason: 'again' })).toMatchObject({ success: false, error: 'invalid_or_decided' });
  });

  test('detachSession on one process starts the grace on the owner; attachSession on a third cancels it', async () => {
    const [a, b, c] = hosts;
    const kept = await a.call('request', { type: 'confirm', sessionId: 'kept' });
    const dropped = await a.call('request', { type: 'confirm', sessionId: 'dropped' });
    await until(() => b.named('interaction-request').length === 2, 5000, 'requests');
    await b.call('detach', { session: 'kept', graceMs: 400 });
    await b.call('detach', { session: 'dropped', graceMs: 400 });
    // The detach reaches the owner through Redis; then the attach, through Redis too.
    await new Promise((r) => setTimeout(r, 100));
    expect(await c.call('attach', { session: 'kept' })).toBe(true);
    expect(await c.call('attach', { session: 'never-detached' })).toBe(false);
    await until(() => a.settled.get(dropped), 5000, 'the grace to end');
    expect(a.settled.get(dropped).code).toBe('SESSION_REMOVED');
    await new Promise((r) => setTimeout(r, 600));
    expect(a.settled.has(kept)).toBe(false);
    expect((await c.call('list', { sessions: ['kept', 'dropped'] })).map((r) => r.id)).toEqual([kept]);
  });
});

describe('2. every local ending removes the shared record and tells every process', () => {
  test('timeout, abort, owner-side answer, remote removeSession, touch and shutdown', async () => {
    const [a, b, c] = hosts;
    const timed = await a.call('request', { type: 'ending', sessionId: 's1', timeoutMs: 300 });
    const aborted = await a.call('request', { type: 'ending', sessionId: 's1', abortable: true });
    const answered = await a.call('request', { type: 'ending', sessionId: 's1' });
    const removed = await a.call('request', { type: 'ending', sessionId: 's2' });
    const touched = await a.call('request', { type: 'ending', sessionId: 's3', timeoutMs: 60_000 });
    const shut = await a.call('request', { type: 'ending', sessionId: 's4' });
    await until(() => c.named('interaction-request').length === 6, 5000, 'requests');
    const pttl = Number(redis.cli('PTTL', `${prefix}:rec:${touched}`));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000 + OWNER_TIMEOUT + HEARTBEAT);

    await a.call('abort', { id: aborted });
    expect(await a.call('resolve', { id: answered, response: 'here', session: 's1' })).toEqual({ success: true });
    await b.call('removeSession', { session: 's2' });
    expect(await c.call('touch', { id: touched })).toEqual({ success: true });
    await until(() => a.settled.has(timed) && a.settled.has(aborted) && a.settled.has(answered) && a.settled.has(removed), 5000, 'endings');
    expect(a.settled.get(timed).code).toBe('TIMEOUT');
    expect(a.settled.get(aborted).code).toBe('ABORTED');
    expect(a.settled.get(answered).value).toBe('here');
    expect(a.settled.get(removed).code).toBe('SESSION_REMOVED');
    expect(await b.call('list', { sessions: ['s1', 's2', 's3', 's4'] })).toEqual([
      expect.objectContaining({ id: touched }),
      expect.objectContaining({ id: shut }),
    ]);

    await a.call('close');
    await a.exit;
    expect(a.settled.get(touched).code).toBe('SHUTDOWN');
    await until(() => [b, c].every((h) => h.named('interaction-rejected').length === 5 && h.named('interaction-resolved').length === 1), 5000, 'ending events');
    for (const h of [b, c]) {
      const codes = Object.fromEntries(h.named('interaction-rejected').map((e) => [e.payload.interactionId, e.payload.code]));
      expect(codes).toEqual({ [timed]: 'TIMEOUT', [aborted]: 'ABORTED', [removed]: 'SESSION_REMOVED', [touched]: 'SHUTDOWN', [shut]: 'SHUTDOWN' });
      expect(await h.call('list', { sessions: ['s1', 's2', 's3', 's4'] })).toEqual([]);
    }
    // Nothing but the liveness keys of the two processes still connected.
    expect(onlyLiveness(redis.keys(prefix))).toEqual([]);
    expect(redis.keys(prefix).filter((k) => k.includes(':node:host0'))).toEqual([]);
  });
});

describe('3. an owner killed with SIGKILL', () => {
  test('others stop listing its interactions and emit OWNER_GONE within ownerTimeoutMs plus one heartbeat', async () => {
    const [a, b, c] = hosts;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await a.call('request', { type: 'doomed', sessionId: 'sk' }));
    await until(() => b.named('interaction-request').length === 3 && c.named('interaction-request').length === 3, 5000, 'requests');
    expect((await b.call('list', { sessions: ['sk'] })).length).toBe(3);
    const killedAt = Date.now();
    a.kill('SIGKILL');
    await a.exit;
    await until(() => [b, c].every((h) => h.named('interaction-rejected').length === 3), 10_000, 'OWNER_GONE');
    // When the reaper acted (`rejectedAt`, its Date.now()): within the bound, plus 300 ms for a
    // loaded machine's timers. Delivery to this test process is not part of it.
    const took = Math.max(...b.named('interaction-rejected').map((e) => e.payload.rejectedAt)) - killedAt;
    expect(took).toBeLessThanOrEqual(OWNER_TIMEOUT + HEARTBEAT + 300);
    for (const h of [b, c]) {
      expect(h.named('interaction-rejected').map((e) => e.payload.code)).toEqual(['OWNER_GONE', 'OWNER_GONE', 'OWNER_GONE']);
      expect(h.named('interaction-rejected').map((e) => e.payload.interactionId).sort()).toEqual([...ids].sort());
      expect(h.named('interaction-rejected')[0].payload.sessionId).toBe('sk');
      expect(await h.call('list', { sessions: ['sk'] })).toEqual([]);
    }
    expect(await b.call('resolve', { id: ids[0], response: 1, session: 'sk' })).toMatchObject({ success: false });
    expect(onlyLiveness(redis.keys(prefix))).toEqual([]);
    expect(redis.keys(prefix).filter((k) => k.includes('host0'))).toEqual([]);
  });
});
