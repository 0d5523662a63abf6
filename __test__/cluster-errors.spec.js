'use strict';
// Cluster mode's error codes travel as their own field (src/cluster/error.rs, the kind of a
// failed call's delivery in src/cluster/wire.rs): Redis refusing a script is REDIS_ERROR, an
// unreachable Redis REDIS_UNAVAILABLE, and the message says why without the code in it.

const { startRedis, freePort } = require('../scripts/redis-server.js');
const { ClusterInteractionManager, ClusterError } = require('..');

let redis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

test('a script Redis refuses (a key of another type under the prefix): REDIS_ERROR for an answer and a listing; the link stays up', async () => {
  const m = await ClusterInteractionManager.connect({ redisUrl: redis.url, prefix: 'errors', logger: { warn() {}, error() {}, info() {}, debug() {} } });
  try {
    redis.cli('SET', 'errors:rec:not-a-hash', 'x');
    expect(await m.resolveInteraction('not-a-hash', 1)).toEqual({ success: false, error: 'REDIS_ERROR' });
    redis.cli('SET', 'errors:ses:s1', 'x');
    const err = await m.getPendingInteractions(['s1']).catch((e) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err.code).toBe('REDIS_ERROR');
    expect(err.message).toMatch(/^Redis: .*WRONGTYPE/);
    expect(err.message).not.toMatch(/REDIS_(ERROR|UNAVAILABLE)/);
    expect(m.isRedisUp()).toBe(true);
  } finally {
    await m.close();
  }
});

test('an unreachable Redis: REDIS_UNAVAILABLE, the message without the code', async () => {
  const port = await freePort();
  const err = await ClusterInteractionManager.connect({ redisUrl: `redis://127.0.0.1:${port}` }).catch((e) => e);
  expect(err).toBeInstanceOf(ClusterError);
  expect(err.code).toBe('REDIS_UNAVAILABLE');
  expect(err.message).toMatch(/^Redis: /);
  expect(err.message).not.toMatch(/REDIS_(ERROR|UNAVAILABLE)/);
});
