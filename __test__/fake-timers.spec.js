// Defect 9 of issue 9: one clock, read from JS. A host's tests that use jest.useFakeTimers()
// see timeouts, graces, ages and waits follow the fake clock.
const { InteractionManager } = require('..');

afterEach(() => jest.useRealTimers());

const track = (p) => {
  const seen = { code: null };
  p.then(
    () => (seen.code = 'RESOLVED'),
    (e) => (seen.code = e.code),
  );
  return seen;
};
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('fake timers', () => {
  test('advancing by timeoutMs settles the interaction with TIMEOUT, not a moment before', async () => {
    jest.useFakeTimers();
    const m = new InteractionManager({ interactionTimeoutMs: 60_000 });
    const seen = track(m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }));
    jest.advanceTimersByTime(59_999);
    await flush();
    expect(seen.code).toBeNull();
    jest.advanceTimersByTime(1);
    await flush();
    expect(seen.code).toBe('TIMEOUT');
    m.shutdown();
  });

  test('fake timers installed after the manager exists, as a host test file would', async () => {
    const m = new InteractionManager({ interactionTimeoutMs: 5000 });
    jest.useFakeTimers();
    const seen = track(m.requestInteraction({ type: 'ask-user', sessionId: 's', data: {} }));
    m.detachSession('gone', { graceMs: 1000 });
    const gone = track(m.requestInteraction({ type: 'ask-user', sessionId: 'gone', data: {} }));
    jest.advanceTimersByTime(1000);
    await flush();
    expect(gone.code).toBe('SESSION_REMOVED');
    expect(seen.code).toBeNull();
    jest.advanceTimersByTime(4000);
    await flush();
    expect(seen.code).toBe('TIMEOUT');
    m.shutdown();
  });

  test('waits, ages and late-answer times follow the fake clock', async () => {
    jest.useFakeTimers();
    const m = new InteractionManager({ interactionTimeoutMs: 0 });
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    jest.advanceTimersByTime(7000);
    expect(m.getMetrics()).toMatch(/^interaction_manager_oldest_pending_age_seconds 7$/m);
    m.resolveInteraction(id, 'ok');
    expect(m.getMetrics()).toMatch(/^interaction_manager_wait_seconds_sum\{type="permission"\} 7$/m);
    jest.advanceTimersByTime(3000);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const late = m.resolveInteraction(id, 'again');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/already ended: RESOLVED$/));
    warn.mockRestore();
    expect(late).toMatchObject({ error: 'invalid_or_decided', settledAs: 'RESOLVED' });
    expect(Date.now() - late.settledAt).toBe(3000);
    m.shutdown();
  });

  test('touchInteraction restarts the timeout on the fake clock', async () => {
    jest.useFakeTimers();
    const m = new InteractionManager({ interactionTimeoutMs: 1000 });
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    const seen = track(m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }));
    jest.advanceTimersByTime(900);
    expect(m.touchInteraction(id)).toEqual({ success: true });
    jest.advanceTimersByTime(900);
    await flush();
    expect(seen.code).toBeNull();
    jest.advanceTimersByTime(100);
    await flush();
    expect(seen.code).toBe('TIMEOUT');
    m.shutdown();
  });
});
