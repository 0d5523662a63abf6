'use strict';
// Cluster mode: an event that reaches the events stream twice (a publish or an ending replayed
// after its connection broke with the reply lost, a record republished after an outage) is
// emitted once by every other process: a request once and never after its ending, an ending
// once. The duplicates are written into the stream of a real redis-server by hand, exactly as a
// replayed script writes them.

const { startRedis } = require('../scripts/redis-server.js');
const { until } = require('./support/cluster.js');
const { ClusterInteractionManager } = require('..');
const { REMEMBERED } = require('../lib/cluster/heard.js');

const quiet = { debug() {}, warn() {}, error() {} };
let redis;
let im;
const prefix = 'replays';

beforeAll(async () => {
  redis = await startRedis();
  im = await ClusterInteractionManager.connect({ redisUrl: redis.url, prefix, instanceId: 'observer', heartbeatMs: 200, ownerTimeoutMs: 1000, logger: quiet });
});
afterAll(async () => {
  await im.close();
  await redis.stop();
});

// What another process's publish.lua and end.lua add to the stream.
const xadd = (name, payload) => redis.cli('XADD', `${prefix}:events`, '*', 'o', 'elsewhere', 'n', name, 'v', JSON.stringify(payload));
const request = (id) => ({ id, type: 'permission', sessionId: 's', data: { id }, metadata: {}, requestedAt: 1 });
const heard = () => {
  const seen = [];
  for (const name of ['interaction-request', 'interaction-resolved', 'interaction-rejected']) im.on(name, (e) => seen.push([name, e.id ?? e.interactionId]));
  return seen;
};

test('a replayed request and a replayed ending are emitted once each', async () => {
  const seen = heard();
  xadd('interaction-request', request('a'));
  xadd('interaction-request', request('a'));
  xadd('interaction-resolved', { interactionId: 'a', response: 1 });
  xadd('interaction-request', request('a')); // the publish replayed after the ending
  xadd('interaction-resolved', { interactionId: 'a', response: 1 });
  xadd('interaction-request', request('b'));
  xadd('interaction-rejected', { interactionId: 'b', code: 'OWNER_GONE' });
  xadd('interaction-rejected', { interactionId: 'b', code: 'OWNER_GONE' });
  xadd('interaction-rejected', { interactionId: 'c', code: 'TIMEOUT' }); // its request was before this process came
  xadd('interaction-request', request('end-of-test'));
  await until(() => seen.some(([, id]) => id === 'end-of-test'), 5000, 'the last event');
  expect(seen).toEqual([
    ['interaction-request', 'a'],
    ['interaction-resolved', 'a'],
    ['interaction-request', 'b'],
    ['interaction-rejected', 'b'],
    ['interaction-rejected', 'c'],
    ['interaction-request', 'end-of-test'],
  ]);
});

test(`what is remembered is bounded: the ${REMEMBERED} latest ids, a duplicate of an older one is emitted again`, async () => {
  const { Heard } = require('../lib/cluster/heard.js');
  const h = new Heard();
  const ended = (id) => h.first('interaction-rejected', { interactionId: id });
  for (let i = 0; i <= REMEMBERED; i++) expect(ended(`id${i}`)).toBe(true);
  expect(ended(`id${REMEMBERED}`)).toBe(false);
  expect(ended('id1')).toBe(false);
  expect(ended('id0')).toBe(true);
  // Events of other kinds, and payloads without an id, pass through.
  expect(h.first('interaction-touched', { id: 'x' })).toBe(true);
  expect(h.first('interaction-touched', { id: 'x' })).toBe(true);
  expect(h.first('interaction-rejected', null)).toBe(true);
  expect(h.first('interaction-rejected', null)).toBe(true);
});
