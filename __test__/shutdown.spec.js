const { manager, outcome, recordEvents } = require('./helpers');
const pkg = require('..');

describe('shutdown and the singleton', () => {
  test('shutdown rejects everything with SHUTDOWN, emits, keeps statistics and is idempotent', async () => {
    const m = manager();
    const events = recordEvents(m);
    const a = m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    const b = m.requestInteraction({ type: 'ask-user', sessionId: null, data: {} });
    m.shutdown();
    m.shutdown();
    for (const p of [a, b]) {
      const { error } = await outcome(p);
      expect(error).toBeInstanceOf(Error);
      expect([error.message, error.code]).toEqual(['InteractionManager shutting down', 'SHUTDOWN']);
    }
    expect(events.filter(([n]) => n === 'interaction-rejected').map(([, e]) => e.code)).toEqual(['SHUTDOWN', 'SHUTDOWN']);
    expect(m.getStatistics()).toEqual({
      permission: { total: 1, resolved: 0, rejected: 0 },
      'ask-user': { total: 1, resolved: 0, rejected: 0 },
      pendingCount: 0,
      sessionCount: 0,
    });
  });

  test('a manager that was shut down refuses new requests with SHUTDOWN', async () => {
    const m = manager();
    m.shutdown();
    const { error } = await outcome(m.requestInteraction({ type: 't', sessionId: 's', data: {} }));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('SHUTDOWN');
    expect(m.getPendingCount()).toBe(0);
  });

  test('getInteractionManager returns one instance until resetInteractionManager shuts it down', async () => {
    const first = pkg.getInteractionManager();
    expect(pkg.getInteractionManager()).toBe(first);
    expect(first).toBeInstanceOf(pkg.InteractionManager);
    const p = first.requestInteraction({ type: 't', sessionId: 's', data: {} });
    pkg.resetInteractionManager();
    await expect(p).rejects.toMatchObject({ code: 'SHUTDOWN' });
    const second = pkg.getInteractionManager();
    expect(second).not.toBe(first);
    pkg.resetInteractionManager();
    pkg.resetInteractionManager();
  });

  test('the manager is an EventEmitter and new InteractionManager() takes no arguments', () => {
    const { EventEmitter } = require('node:events');
    const m = manager();
    expect(m).toBeInstanceOf(EventEmitter);
    expect(pkg.DEFAULTS).toEqual({
      interactionTimeoutMs: 300000,
      staleThresholdMs: 600000,
      cleanupIntervalMs: 300000,
      maxInteractionsPerSession: 100,
      maxPendingTotal: 10000,
      maxTypes: 256,
      logger: null,
      requireSessionMatch: false,
      rateLimit: null,
    });
  });
});
