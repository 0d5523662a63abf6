'use strict';
// Connect's preflight names what would break cluster mode's guarantees: a Redis user missing a
// command the link uses fails connect with REDIS_ERROR naming it (instead of connecting and
// never receiving), a maxmemory-policy other than noeviction is a warning. Under a fault that
// repeats, cluster mode's warnings are throttled. A real redis-server with ACL users.

const fs = require('node:fs');
const path = require('node:path');
const { startRedis } = require('../scripts/redis-server.js');
const { ClusterInteractionManager, ClusterError } = require('..');

const src = path.join(__dirname, '..', 'src', 'cluster');
let redis;
let n = 0;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

function recorder() {
  const lines = [];
  const add = (...a) => lines.push(a.map(String).join(' '));
  return { lines, logger: { debug() {}, warn: add, error: add } };
}

// A user with every permission but `rules` take away.
function userWithout(...rules) {
  n += 1;
  const name = `user${n}`;
  redis.cli('ACL', 'SETUSER', name, 'reset', 'on', '>pw', '~*', '&*', '+@all', ...rules);
  return `redis://${name}:pw@127.0.0.1:${redis.port}`;
}

const connect = (redisUrl, logger, o = {}) => ClusterInteractionManager.connect({ redisUrl, prefix: 'pf', heartbeatMs: 100, ownerTimeoutMs: 500, logger, ...o });

// Every command the link and its scripts run, read from their source: a command added without
// its preflight check fails here. [ACL rule that takes it away, the name connect must say].
function commandsInUse() {
  const found = new Map();
  for (const f of fs.readdirSync(path.join(src, 'lua'))) {
    for (const m of fs.readFileSync(path.join(src, 'lua', f), 'utf8').matchAll(/redis\.call\('([A-Z]+)'/g)) found.set(m[1], [`-${m[1].toLowerCase()}`, m[1]]);
  }
  for (const f of fs.readdirSync(src).filter((x) => x.endsWith('.rs'))) {
    for (const m of fs.readFileSync(path.join(src, f), 'utf8').matchAll(/cmd\("([A-Z]+)"\)(?:\s*\.arg\("([A-Z]+)"\))?/g)) {
      const [, cmd, sub] = m;
      // CONFIG GET only reads the policy: without it connect warns (below).
      if (cmd === 'CONFIG') continue;
      if (['SCRIPT', 'CLIENT'].includes(cmd)) found.set(`${cmd} ${sub}`, [`-${cmd.toLowerCase()}|${sub.toLowerCase()}`, `${cmd} ${sub}`]);
      else found.set(cmd, [`-${cmd.toLowerCase()}`, cmd]);
    }
  }
  return [...found.values()];
}

test('a user without any one command the link uses cannot connect: REDIS_ERROR naming it, nothing written', async () => {
  const commands = commandsInUse();
  expect(commands.map((c) => c[1])).toEqual(expect.arrayContaining(['XREAD', 'CLIENT SETNAME', 'SCRIPT LOAD', 'EVALSHA', 'HSET', 'XADD', 'SMEMBERS']));
  for (const [rule, name] of commands) {
    const { logger } = recorder();
    const err = await connect(userWithout(rule), logger).then(
      (im) => (im.close(), new Error(`connected without ${name}`)),
      (e) => e,
    );
    expect([name, err]).toEqual([name, expect.any(ClusterError)]);
    expect([name, err.code]).toEqual([name, 'REDIS_ERROR']);
    expect(err.message).toMatch(new RegExp(`\\b${name}\\b`));
  }
  // Two missing: both named. Keys outside the user's patterns: named with the prefix.
  const both = await connect(userWithout('-xread', '-client'), recorder().logger).catch((e) => e);
  expect(both.code).toBe('REDIS_ERROR');
  expect(both.message).toMatch(/XREAD/);
  expect(both.message).toMatch(/CLIENT SETNAME/);
  n += 1;
  redis.cli('ACL', 'SETUSER', `keys${n}`, 'on', '>pw', '~other:*', '+@all');
  const keys = await connect(`redis://keys${n}:pw@127.0.0.1:${redis.port}`, recorder().logger).catch((e) => e);
  expect(keys.code).toBe('REDIS_ERROR');
  expect(keys.message).toMatch(/"pf:"/);
  expect(redis.keys('pf')).toEqual([]);
});

test('maxmemory-policy other than noeviction: a warning through the logger; CONFIG not permitted: a warning that it could not be checked', async () => {
  const ok = recorder();
  await (await connect(redis.url, ok.logger)).close();
  expect(ok.lines).toEqual([]);
  try {
    for (const policy of ['allkeys-lru', 'volatile-ttl']) {
      redis.cli('CONFIG', 'SET', 'maxmemory-policy', policy);
      const r = recorder();
      await (await connect(redis.url, r.logger)).close();
      expect(r.lines).toEqual([expect.stringMatching(new RegExp(`maxmemory-policy is ${policy}.*noeviction`))]);
    }
  } finally {
    redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  }
  const r = recorder();
  await (await connect(userWithout('-config'), r.logger)).close();
  expect(r.lines).toEqual([expect.stringMatching(/maxmemory-policy could not be checked.*CONFIG/)]);
});

test('NOPERM after connect (the ACL changed) is REDIS_ERROR, not an outage; the reader reads on; a repeating fault writes one line per 10 s', async () => {
  const url = userWithout();
  const user = new URL(url).username;
  const a = recorder();
  const b = recorder();
  const ma = await connect(url, a.logger, { instanceId: 'pa' });
  const mb = await connect(redis.url, b.logger, { instanceId: 'pb' });
  try {
    // The reader's connection drops, and CLIENT SETNAME is no longer permitted to reconnect it.
    redis.cli('ACL', 'SETUSER', user, '-client');
    const reader = redis.cli('CLIENT', 'LIST').split('\n').find((l) => l.includes('name=interactions-reader-pa'));
    redis.cli('CLIENT', 'KILL', 'ID', /id=(\d+)/.exec(reader)[1]);
    // The dropped connection is an outage of the reader for a moment; once it is back, the
    // refused name is an error, not another outage: the link stays up (no flapping).
    await new Promise((r) => setTimeout(r, 300));
    for (const end = Date.now() + 5000; !ma.isRedisUp() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    let down = 0;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      down += ma.isRedisUp() ? 0 : 1;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(down).toBe(0);
    // It still receives: an answer from another process settles its promise.
    let id;
    ma.once('interaction-request', (e) => (id = e.id));
    const p = ma.requestInteraction({ type: 't', sessionId: 's' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await mb.resolveInteraction(id, 'ok', 's')).toEqual({ success: true });
    await expect(p).resolves.toBe('ok');
    expect(a.lines.filter((l) => /unreachable/.test(l)).length).toBeLessThanOrEqual(1);
    expect(a.lines.filter((l) => /unreachable/.test(l)).every((l) => !/NoPerm/i.test(l))).toBe(true);
    expect(a.lines.filter((l) => /refused to name the reader's connection.*NoPerm/.test(l))).toHaveLength(1);
    expect(a.lines.length).toBeLessThanOrEqual(3);
    // A script refused: REDIS_ERROR, and the link is still up.
    redis.cli('ACL', 'SETUSER', user, '-evalsha');
    let other;
    mb.once('interaction-request', (e) => (other = e.id));
    mb.requestInteraction({ type: 't', sessionId: 's' }).catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    expect(await ma.resolveInteraction(other, 1, 's')).toEqual({ success: false, error: 'REDIS_ERROR' });
    expect(ma.isRedisUp()).toBe(true);
    redis.cli('ACL', 'SETUSER', user, '+evalsha');

    // A listener that throws at every event from another process: one line, counting the rest.
    mb.on('interaction-request', () => {
      throw new Error('listener bug');
    });
    b.lines.length = 0;
    for (let i = 0; i < 50; i++) ma.requestInteraction({ type: 't', sessionId: 'many' }).catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
    expect(b.lines.length).toBe(1);
    expect(b.lines[0]).toMatch(/listener threw.*listener bug/);
  } finally {
    await Promise.all([ma.close(), mb.close()]);
  }
});
