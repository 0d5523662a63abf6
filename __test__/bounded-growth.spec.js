// Defects 6 and 7 of issue 9: what callers can make grow without bound (rate-limit windows of
// distinct sessions, statistics of distinct types) is bounded, sweep or no sweep.
const { manager, outcome, sleep } = require('./helpers');

const gauge = (m, name) => Number(m.getMetrics().match(new RegExp(`^${name} (\\d+)$`, 'm'))[1]);

describe('rate-limit windows', () => {
  test('with no sweep at all, windows are held only for the sessions of the current window', async () => {
    const m = manager({ cleanupIntervalMs: 0, interactionTimeoutMs: 0, rateLimit: { max: 5, windowMs: 1000 }, maxPendingTotal: 20_000 });
    const ids = [];
    m.on('interaction-request', (i) => ids.push(i.id));
    for (let i = 0; i < 10_000; i++) m.requestInteraction({ type: 'permission', sessionId: `s${i}`, data: {} });
    for (const id of ids) m.resolveInteraction(id, 'ok');
    // Held while inside their window (a loaded machine may already have let the first pass).
    expect(gauge(m, 'interaction_manager_rate_limit_windows')).toBeGreaterThan(5000);
    await sleep(1100);
    // The next request (or any read of the clock) forgets every window that has passed.
    m.requestInteraction({ type: 'permission', sessionId: 'next', data: {} });
    expect(gauge(m, 'interaction_manager_rate_limit_windows')).toBe(1);
  });

  test('requests without a session (null, "", undefined) share one bucket instead of bypassing it', async () => {
    const m = manager({ rateLimit: { max: 2, windowMs: 5000 } });
    m.requestInteraction({ type: 'permission', sessionId: null, data: {} });
    m.requestInteraction({ type: 'permission', sessionId: '', data: {} });
    const { error } = await outcome(m.requestInteraction({ type: 'permission', data: {} }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toMatch(/^Rate limit exceeded for requests without a session; retry after \d+ ms$/);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    // A named session has its own bucket.
    m.requestInteraction({ type: 'permission', sessionId: 'named', data: {} });
    expect(m.getPendingCount()).toBe(3);
  });
});

describe('statistics of distinct types', () => {
  test('past maxTypes (default 256), types are counted under "other" and the metrics stay bounded', async () => {
    const m = manager({ maxPendingTotal: 5000, maxInteractionsPerSession: 5000 });
    const all = [];
    for (let i = 0; i < 2000; i++) all.push(m.requestInteraction({ type: `type-${i}-${'x'.repeat(200)}`, sessionId: 's', data: {} }));
    m.removeSession('s');
    await Promise.allSettled(all);
    const stats = m.getStatistics();
    const rows = Object.keys(stats).filter((k) => k !== 'pendingCount' && k !== 'sessionCount');
    expect(rows).toHaveLength(257);
    expect(stats.other).toEqual({ total: 2000 - 256, resolved: 0, rejected: 2000 - 256 });
    const text = m.getMetrics();
    expect(text.length).toBeLessThan(2_000_000);
    expect(text).toMatch(/^interaction_manager_settled_total\{type="other",code="SESSION_REMOVED"\} 1744$/m);
  });

  test('a type longer than 256 bytes is counted under "other" but can still be listed while pending', () => {
    const m = manager({ maxTypes: 2 });
    const long = 'L'.repeat(300);
    m.requestInteraction({ type: long, sessionId: 's', data: { long: true } });
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    expect(m.getPendingInteractions(['s'], long).map((i) => i.data)).toEqual([{ long: true }]);
    expect(Object.keys(m.getStatistics())).toEqual(['other', 'permission', 'pendingCount', 'sessionCount']);
  });

  test('maxTypes is checked like the other counts', () => {
    const { InteractionManager } = require('..');
    expect(() => new InteractionManager({ maxTypes: 0 })).toThrow(/maxTypes/);
    expect(() => new InteractionManager({ maxTypes: 1.5 })).toThrow(TypeError);
  });
});
