// Defect 8 of issue 9: the stale sweep settles in chunks across event-loop turns (like expiry),
// oldest first, each interaction once; its cost per turn is measured by npm run bench.
const { manager, outcome, sleep } = require('./helpers');

describe('the stale sweep', () => {
  test('settles one chunk per turn, oldest first, and finishes by itself', async () => {
    const m = manager({ interactionTimeoutMs: 0, staleThresholdMs: 20, cleanupIntervalMs: 0, maxPendingTotal: 10_000, maxInteractionsPerSession: 10_000 });
    const order = [];
    m.on('interaction-rejected', (e) => order.push(e.interactionId));
    const ids = [];
    m.on('interaction-request', (i) => ids.push(i.id));
    const all = Array.from({ length: 3000 }, (_, i) => m.requestInteraction({ type: 'permission', sessionId: `s${i % 7}`, data: {} }));
    await sleep(40);
    m.cleanupStaleInteractions();
    expect(order).toHaveLength(500); // the first chunk, now
    m.cleanupStaleInteractions(); // a sweep is under way: this does not start another
    expect(order).toHaveLength(500);
    const codes = await Promise.all(all.map((p) => outcome(p).then((o) => o.error.code)));
    expect(codes.every((c) => c === 'STALE')).toBe(true);
    expect(order).toEqual(ids);
    expect(m.getPendingCount()).toBe(0);
  });

  test('interactions answered while a sweep is under way are skipped, not settled twice', async () => {
    const m = manager({ interactionTimeoutMs: 0, staleThresholdMs: 10, cleanupIntervalMs: 0, maxPendingTotal: 5000, maxInteractionsPerSession: 5000 });
    const ids = [];
    m.on('interaction-request', (i) => ids.push(i.id));
    const all = Array.from({ length: 1200 }, () => m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }));
    await sleep(30);
    m.cleanupStaleInteractions();
    expect(m.resolveInteraction(ids[1100], 'answered in time')).toEqual({ success: true });
    const results = await Promise.all(all.map(outcome));
    expect(results[1100]).toEqual({ value: 'answered in time' });
    expect(results.filter((r) => r.error && r.error.code === 'STALE')).toHaveLength(1199);
  });

  test('shutdown during a sweep stops it; nothing is settled twice', async () => {
    const m = manager({ interactionTimeoutMs: 0, staleThresholdMs: 10, cleanupIntervalMs: 0, maxPendingTotal: 5000, maxInteractionsPerSession: 5000 });
    const all = Array.from({ length: 1200 }, () => m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }));
    await sleep(30);
    m.cleanupStaleInteractions();
    m.shutdown();
    const codes = await Promise.all(all.map((p) => outcome(p).then((o) => o.error.code)));
    expect(codes.filter((c) => c === 'STALE')).toHaveLength(500);
    expect(codes.filter((c) => c === 'SHUTDOWN')).toHaveLength(700);
  });
});
