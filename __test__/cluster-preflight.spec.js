'use strict';
// Permissions: a Redis user's NOPERM is an error, not an outage; under a fault that repeats,
// cluster mode's warnings are throttled. A real redis-server with ACL users.

const { startRedis } = require('../scripts/redis-server.js');
const { ClusterInteractionManager } = require('..');

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
    await new Promise((r) => setTimeout(r, 500));
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
