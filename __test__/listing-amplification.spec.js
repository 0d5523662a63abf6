// Issue 17, part 4: getPendingInteractions costs what its answer costs. A sync request's session
// ids come from the browser; one that names a 16384-character session 100000 times must get the
// answer the pure-JS manager gives (that session's interactions once per mention), without a
// RangeError and without the memory of joining 100000 copies of the id. The bound: each distinct
// id is read, packed and looked up once; the rest is one copy per listed interaction.
const { InteractionManager } = require('..');
const { BaselineInteractionManager } = require('../benchmark/baseline.js');

const MENTIONS = 100_000;

function fill(m, session) {
  for (let k = 0; k < 2; k++) m.requestInteraction({ type: 'permission', sessionId: session, data: { k } }).catch(() => {});
  m.requestInteraction({ type: 'permission', sessionId: 'other' }).catch(() => {});
}

test(`${MENTIONS} references to one 16384-character session id: the baseline's answer, in bounded memory`, () => {
  const session = 'x'.repeat(16_384);
  const ids = new Array(MENTIONS).fill(session);
  ids.push('unknown', 42, null, 'y'.repeat(16_385));
  const baseline = new BaselineInteractionManager({ interactionTimeoutMs: 0 });
  const m = new InteractionManager({ interactionTimeoutMs: 0, cleanupIntervalMs: 0 });
  fill(baseline, session);
  fill(m, session);
  const expected = baseline.getPendingInteractions(ids).map((r) => [r.sessionId.length, r.data.k]);
  gc();
  const before = process.memoryUsage();
  const listed = m.getPendingInteractions(ids);
  const after = process.memoryUsage();
  expect(listed.map((r) => [r.sessionId.length, r.data.k])).toEqual(expected);
  expect(listed.length).toBe(2 * MENTIONS);
  // The answer itself is 200000 small objects (about 20 MB); joining the mentions made 1.6 GB
  // of string and 1.25 GB more rss.
  expect((after.rss - before.rss) / 2 ** 20).toBeLessThan(200);
  m.shutdown();
  baseline.shutdown();
});

test('a session named twice is listed twice, in the order of the mentions, as the baseline does', () => {
  const baseline = new BaselineInteractionManager({ interactionTimeoutMs: 0 });
  const m = new InteractionManager({ interactionTimeoutMs: 0, cleanupIntervalMs: 0 });
  for (const x of [baseline, m]) {
    for (const s of ['a', 'b', 'a']) x.requestInteraction({ type: 'permission', sessionId: s, data: s }).catch(() => {});
  }
  const ids = ['b', 'a', 'b', 'c', 'a'];
  expect(m.getPendingInteractions(ids).map((r) => r.data)).toEqual(baseline.getPendingInteractions(ids).map((r) => r.data));
  m.shutdown();
  baseline.shutdown();
});
