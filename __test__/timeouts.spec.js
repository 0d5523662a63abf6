const { manager, outcome, recordEvents, sleep } = require('./helpers');

describe('timeouts and the stale sweep', () => {
  test('the manager timeout rejects with TIMEOUT and the legacy-style message', async () => {
    const m = manager({ interactionTimeoutMs: 30 });
    const events = recordEvents(m);
    const started = Date.now();
    const { error } = await outcome(m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(error).toBeInstanceOf(Error);
    expect([error.message, error.code]).toEqual(['Interaction timed out', 'TIMEOUT']);
    expect(events[1][1]).toMatchObject({ sessionId: 's', code: 'TIMEOUT', reason: 'Interaction timed out' });
    expect(m.getStatistics()).toMatchObject({ pendingCount: 0, sessionCount: 0, permission: { rejected: 1 } });
  });

  test('a per-request timeoutMs overrides the manager default, and 0 disables it', async () => {
    const m = manager({ interactionTimeoutMs: 10_000 });
    const fast = m.requestInteraction({ type: 't', sessionId: null, data: {}, timeoutMs: 20 });
    const never = m.requestInteraction({ type: 't', sessionId: null, data: {}, timeoutMs: 0 });
    await expect(fast).rejects.toMatchObject({ code: 'TIMEOUT' });
    await sleep(30);
    expect(m.getPendingCount()).toBe(1);
    m.shutdown();
    await expect(never).rejects.toMatchObject({ code: 'SHUTDOWN' });
  });

  test('interactionTimeoutMs: 0 disables the default timeout', async () => {
    const m = manager({ interactionTimeoutMs: 0 });
    m.requestInteraction({ type: 't', data: {} }).catch(() => {});
    await sleep(40);
    expect(m.getPendingCount()).toBe(1);
  });

  test('timeouts fire in deadline order, whatever the request order', async () => {
    const m = manager();
    const order = [];
    m.on('interaction-rejected', (e) => order.push(e.sessionId));
    const all = [60, 20, 40].map((t) =>
      m.requestInteraction({ type: 't', sessionId: `t${t}`, data: {}, timeoutMs: t }).catch(() => {}),
    );
    await Promise.all(all);
    expect(order).toEqual(['t20', 't40', 't60']);
  });

  test('many simultaneous timeouts all settle, in chunks', async () => {
    const m = manager({ maxPendingTotal: 20_000 });
    let rejected = 0;
    m.on('interaction-rejected', () => rejected++);
    const all = [];
    for (let i = 0; i < 10_000; i++) {
      all.push(m.requestInteraction({ type: 't', sessionId: null, data: { i }, timeoutMs: 20 }).catch((e) => e.code));
    }
    const codes = await Promise.all(all);
    expect(codes.every((c) => c === 'TIMEOUT')).toBe(true);
    expect(rejected).toBe(10_000);
    expect(m.getPendingCount()).toBe(0);
  });

  test('cleanupStaleInteractions rejects interactions older than staleThresholdMs with STALE', async () => {
    const m = manager({ interactionTimeoutMs: 0, staleThresholdMs: 30, cleanupIntervalMs: 0 });
    const old = m.requestInteraction({ type: 't', sessionId: 's', data: {} });
    await sleep(40);
    const young = m.requestInteraction({ type: 't', sessionId: 's', data: {} });
    m.cleanupStaleInteractions();
    const { error } = await outcome(old);
    expect([error.message, error.code]).toEqual(['Stale interaction cleaned up', 'STALE']);
    expect(m.getPendingCount()).toBe(1);
    expect(m.getStatistics().sessionCount).toBe(1);
    m.removeSession('s');
    await expect(young).rejects.toMatchObject({ code: 'SESSION_REMOVED' });
  });

  test('the periodic sweep runs every cleanupIntervalMs', async () => {
    const m = manager({ interactionTimeoutMs: 0, staleThresholdMs: 20, cleanupIntervalMs: 25 });
    const p = m.requestInteraction({ type: 't', sessionId: null, data: {} });
    await expect(p).rejects.toMatchObject({ code: 'STALE' });
  });

  test('bad options are refused with a TypeError naming the option', () => {
    const { InteractionManager } = require('..');
    expect(() => new InteractionManager({ interactionTimeoutMs: -1 })).toThrow(/interactionTimeoutMs/);
    expect(() => new InteractionManager({ staleThresholdMs: NaN })).toThrow(TypeError);
    expect(() => new InteractionManager({ maxInteractionsPerSession: 0 })).toThrow(/maxInteractionsPerSession/);
    expect(() => new InteractionManager({ maxPendingTotal: 1.5 })).toThrow(/maxPendingTotal/);
    expect(() => new InteractionManager({ requireSessionMatch: 'yes' })).toThrow(/requireSessionMatch/);
    expect(() => new InteractionManager({ interactionTimeout: 5 })).toThrow(/Unknown InteractionManager option 'interactionTimeout'/);
    expect(() => new InteractionManager(5)).toThrow(TypeError);
  });

  test('a bad per-request timeoutMs rejects the request', async () => {
    const m = manager();
    for (const timeoutMs of [-5, Infinity, '10', null]) {
      await expect(m.requestInteraction({ type: 't', data: {}, timeoutMs })).rejects.toThrow(TypeError);
    }
    expect(m.getPendingCount()).toBe(0);
  });
});
