'use strict';
// Cluster mode's payload limit: `maxPayloadBytes` (default 1 MiB) refuses larger `data` and
// `metadata`, responses and reject reasons, measured as UTF-8 bytes of the JSON (or text) that
// would cross processes, with a TypeError, before anything is registered or written. A real
// redis-server, two managers in this process.

const { startRedis } = require('../scripts/redis-server.js');
const { until } = require('./support/cluster.js');
const { ClusterInteractionManager } = require('..');

const quiet = { debug() {}, warn() {}, error() {} };
let redis;
let round = 0;
const open = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(open.map((im) => im.close()));
  await redis.stop();
});

async function connect(options) {
  const im = await ClusterInteractionManager.connect({ redisUrl: redis.url, heartbeatMs: 200, ownerTimeoutMs: 1000, logger: quiet, ...options });
  open.push(im);
  return im;
}

// A promise that must be refused: settled within 2 s (an accepted request would stay pending).
function settled(p) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('still pending after 2 s: accepted')), 2000)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

// What is under the prefix besides the liveness keys of live processes.
const written = (prefix) => redis.keys(prefix).filter((k) => !/:node:[^:]+$/.test(k));

test('over maxPayloadBytes: data, metadata, a response and a reason are refused with a TypeError before anything is written', async () => {
  round += 1;
  const prefix = `pay${round}`;
  const owner = await connect({ prefix, instanceId: 'owner', maxPayloadBytes: 1000 });
  const other = await connect({ prefix, instanceId: 'other', maxPayloadBytes: 1000 });
  // 'é' is one UTF-16 unit and two UTF-8 bytes: 495 of them and the JSON around them are 1015
  // bytes, in 520 units.
  const wide = 'é'.repeat(495);
  await expect(owner.requestInteraction({ type: 't', sessionId: 's', data: wide })).rejects.toThrow(TypeError);
  await expect(owner.requestInteraction({ type: 't', sessionId: 's', data: wide })).rejects.toThrow(/1015 bytes as JSON, over maxPayloadBytes \(1000\)/);
  await expect(owner.requestInteraction({ type: 't', sessionId: 's', metadata: { note: wide } })).rejects.toThrow(/maxPayloadBytes \(1000\)/);
  expect(owner.getPendingCount()).toBe(0);
  expect(written(prefix)).toEqual([]);

  // Exactly at the limit: `JSON.stringify({ data, metadata })` is 1000 bytes.
  const fill = 1000 - Buffer.byteLength(JSON.stringify({ data: '', metadata: {} }));
  let id;
  owner.once('interaction-request', (e) => (id = e.id));
  const p = owner.requestInteraction({ type: 't', sessionId: 's', data: 'x'.repeat(fill) });
  await until(async () => (await other.getPendingInteractions(['s'])).length === 1, 5000, 'the record');

  // A response or a reason over the limit, from another process: refused before it is sent; the
  // prompt stays pending, nothing reached its owner's inbox.
  const wider = 'é'.repeat(600);
  await expect(other.resolveInteraction(id, wider, 's')).rejects.toThrow(TypeError);
  await expect(other.resolveInteraction(id, { text: wider }, 's')).rejects.toThrow(/response is \d+ bytes as JSON, over maxPayloadBytes \(1000\)/);
  await expect(other.rejectInteraction(id, wider)).rejects.toThrow(/reason is \d+ bytes as JSON, over maxPayloadBytes \(1000\)/);
  // And on the owner itself.
  await expect(owner.resolveInteraction(id, 'x'.repeat(1001), 's')).rejects.toThrow(TypeError);
  expect(redis.cli('XLEN', `${prefix}:node:owner:inbox`)).toBe('0');
  expect(owner.getPendingCount()).toBe(1);
  expect((await other.getPendingInteractions(['s'])).map((r) => r.id)).toEqual([id]);

  expect(await other.resolveInteraction(id, 'x'.repeat(998), 's')).toEqual({ success: true });
  await expect(p).resolves.toBe('x'.repeat(998));
});

test('the default maxPayloadBytes is 1 MiB (1048576 bytes)', async () => {
  round += 1;
  const im = await connect({ prefix: `pay${round}` });
  await expect(settled(im.requestInteraction({ type: 't', sessionId: 's', data: 'x'.repeat(1 << 20) }))).rejects.toThrow(/over maxPayloadBytes \(1048576\)/);
  expect(im.getPendingCount()).toBe(0);
  const p = im.requestInteraction({ type: 't', sessionId: 's', data: 'x'.repeat((1 << 20) - 100) });
  expect(im.getPendingCount()).toBe(1);
  await im.removeSession('s');
  await expect(p).rejects.toMatchObject({ code: 'SESSION_REMOVED' });
});

test('maxPayloadBytes must be a positive integer of bytes', async () => {
  for (const bad of [0, -1, 1.5, '1000', null, 2 ** 31]) {
    await expect(ClusterInteractionManager.connect({ redisUrl: redis.url, maxPayloadBytes: bad })).rejects.toThrow(/maxPayloadBytes must be a positive integer/);
  }
});
