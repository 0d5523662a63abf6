'use strict';
// Cluster mode when Redis goes away: stopped and restarted mid-run (4), and connections dropped
// while answers are on their way (5). Three host processes and a real redis-server.

const { startRedis } = require('../scripts/redis-server.js');
const { spawnHosts, until, killAll } = require('./support/cluster.js');

const HEARTBEAT = 200;
const OWNER_TIMEOUT = 1000;

let redis;
let hosts;
let round = 0;

beforeEach(async () => {
  redis = await startRedis();
  round += 1;
  hosts = await spawnHosts(3, { redisUrl: redis.url, prefix: `o${round}`, heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT });
});
afterEach(async () => {
  await Promise.all(hosts.filter((h) => h.child.exitCode === null).map((h) => h.call('close').then(() => h.exit)));
  // A crash, an unhandled rejection or an uncaught exception would have exited non-zero.
  for (const h of hosts) expect(await h.exit).toEqual({ code: 0, signal: null });
  await redis.stop();
});
afterAll(killAll);

const up = async (h) => (await h.call('metrics')).up;

test('4. Redis stopped and restarted: local work goes on, remote calls say REDIS_UNAVAILABLE, nothing pending is lost', async () => {
  const [a, b, c] = hosts;
  const before = await a.call('request', { type: 'outage', sessionId: 's1', data: 'before' });
  await until(async () => (await b.call('list', { sessions: ['s1'] })).length === 1, 5000, 'listing before');

  await redis.stop();
  await until(async () => !(await up(a)) && !(await up(b)), 5000, 'the hosts to see Redis down');
  const metrics = await b.call('metrics');
  expect(metrics.text).toMatch(/^interaction_manager_redis_up 0$/m);
  expect(metrics.snapshot.redisUp).toBe(0);

  // This process's own work goes on.
  const during = await a.call('request', { type: 'outage', sessionId: 's1', data: 'during' });
  const local = await a.call('request', { type: 'outage', sessionId: 's2' });
  expect(await a.call('resolve', { id: local, response: 'answered here', session: 's2' })).toEqual({ success: true });
  await until(() => a.settled.get(local), 2000, 'the local answer');
  expect(a.settled.get(local).value).toBe('answered here');
  // Remote calls say why they cannot work.
  expect(await b.call('resolve', { id: before, response: 1, session: 's1' })).toEqual({ success: false, error: 'REDIS_UNAVAILABLE' });
  expect(await b.call('touch', { id: before })).toEqual({ success: false, error: 'REDIS_UNAVAILABLE' });
  await expect(b.call('list', { sessions: ['s1'] })).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });

  await redis.start();
  await until(async () => (await up(a)) && (await up(b)) && (await up(c)), 10_000, 'the hosts to see Redis back');
  expect((await b.call('metrics')).text).toMatch(/^interaction_manager_redis_up 1$/m);
  // Redis restarted empty: each process republished its live records.
  const listed = await until(async () => {
    const l = await b.call('list', { sessions: ['s1', 's2'] });
    return l.length === 2 && l;
  }, 5000, 'the republished records');
  expect(listed.map((r) => r.data)).toEqual(['before', 'during']);
  expect(await b.call('resolve', { id: before, response: 'b', session: 's1' })).toEqual({ success: true });
  expect(await c.call('resolve', { id: during, response: 'c', session: 's1' })).toEqual({ success: true });
  await until(() => a.settled.has(before) && a.settled.has(during), 5000, 'remote answers after the restart');
  expect(a.settled.get(before).value).toBe('b');
  expect(a.settled.get(during).value).toBe('c');
  expect(await a.call('pending')).toBe(0);
});

test('5. answers routed while the owner reconnects are read from its stream, not lost', async () => {
  const [a, b, c] = hosts;
  const ids = [];
  for (let i = 0; i < 30; i++) ids.push(await a.call('request', { type: 'drop', sessionId: 's', data: i }));
  await until(() => c.named('interaction-request').length === 30, 5000, 'requests');
  const readers = () =>
    redis
      .cli('CLIENT', 'LIST')
      .split('\n')
      .filter((l) => / name=interactions-reader-host[01] /.test(l))
      .map((l) => /(?:^|\s)id=(\d+)\s/.exec(l)[1]);
  const old = readers();
  expect(old.length).toBe(2);
  // Drop the owner's and an observer's reading connections; answer at once, while they reconnect.
  for (const id of old) redis.cli('CLIENT', 'KILL', 'ID', id);
  const answers = await Promise.all(ids.map((id, i) => c.call('resolve', { id, response: i * 10, session: 's' })));
  expect(answers.every((r) => r.success)).toBe(true);
  await until(() => ids.every((id) => a.settled.has(id)), 5000, 'every routed answer');
  expect(ids.map((id) => a.settled.get(id).value)).toEqual(ids.map((_, i) => i * 10));
  await until(() => b.named('interaction-resolved').length === 30, 5000, 'every event on the observer');
  // They did reconnect (new connection ids), and read everything exactly once.
  const now = readers();
  expect(now.length).toBe(2);
  expect(now.some((id) => old.includes(id))).toBe(false);
  await new Promise((r) => setTimeout(r, 3 * HEARTBEAT));
  expect(b.named('interaction-resolved').length).toBe(30);
  expect(new Set(b.named('interaction-resolved').map((e) => e.payload.interactionId)).size).toBe(30);
});
