// Reconnect grace (a reload must not kill a prompt) and Prometheus metrics.
const { manager, outcome, sleep } = require('./helpers');

describe('detachSession / attachSession', () => {
  test('interactions of a detached session survive a reattach within the grace', async () => {
    const m = manager();
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    const p = m.requestInteraction({ type: 'permission', sessionId: 'tab', data: {} });
    m.detachSession('tab', { graceMs: 300 });
    await sleep(20);
    expect(m.attachSession('tab')).toBe(true);
    await sleep(350);
    expect(m.getPendingCount()).toBe(1);
    m.resolveInteraction(id, 'after reload', 'tab');
    await expect(p).resolves.toBe('after reload');
  });

  test('without a reattach they end with SESSION_REMOVED when the grace ends', async () => {
    const m = manager();
    const rejected = [];
    m.on('interaction-rejected', (e) => rejected.push(e.code));
    const p = outcome(m.requestInteraction({ type: 'permission', sessionId: 'gone', data: {} }));
    const started = Date.now();
    m.detachSession('gone', { graceMs: 40 });
    const { error } = await p;
    expect(error.code).toBe('SESSION_REMOVED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(rejected).toEqual(['SESSION_REMOVED']);
  });

  test('removeSession stays immediate, and attach of an unknown session is false', async () => {
    const m = manager();
    const p = outcome(m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }));
    m.detachSession('s');
    m.removeSession('s');
    expect((await p).error.code).toBe('SESSION_REMOVED');
    expect(m.attachSession('s')).toBe(false);
    expect(m.attachSession(42)).toBe(false);
    m.detachSession(null);
    expect(() => m.detachSession('x', { graceMs: -1 })).toThrow(TypeError);
  });
});

describe('getMetrics', () => {
  test('Prometheus text: pending, sessions, settlements by code, oldest age, wait histogram', async () => {
    const m = manager();
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    m.requestInteraction({ type: 'ask-user', sessionId: 'other', data: {} });
    await sleep(15);
    m.resolveInteraction(id, 'ok');
    m.removeSession('other');
    const text = m.getMetrics();
    expect(text).toMatch(/^# HELP interaction_manager_pending /);
    expect(text).toContain('interaction_manager_pending{type="permission"} 0\n');
    expect(text).toContain('interaction_manager_settled_total{type="permission",code="RESOLVED"} 1\n');
    expect(text).toContain('interaction_manager_settled_total{type="ask-user",code="SESSION_REMOVED"} 1\n');
    expect(text).toContain('interaction_manager_wait_seconds_bucket{type="permission",le="+Inf"} 1\n');
    expect(text).toContain('interaction_manager_wait_seconds_count{type="ask-user"} 1\n');
    const sum = Number(text.match(/interaction_manager_wait_seconds_sum\{type="permission"\} (\S+)/)[1]);
    expect(sum).toBeGreaterThanOrEqual(0.01);
    for (const line of text.trim().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [0-9.e+-]+)$/);
    }
  });
});
