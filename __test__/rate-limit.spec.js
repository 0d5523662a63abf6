// rateLimit: { max, windowMs } per session, so a runaway assistant cannot flood a user with dialogs.
const { manager, outcome, recordEvents, sleep } = require('./helpers');

const ask = (m, sessionId) => m.requestInteraction({ type: 'permission', sessionId, data: {} });

describe('rate limits', () => {
  test('past max requests in the window, a session is refused with RATE_LIMITED and retryAfterMs', async () => {
    const m = manager({ rateLimit: { max: 3, windowMs: 2000 } });
    const events = recordEvents(m);
    for (let i = 0; i < 3; i++) ask(m, 'busy');
    const { error } = await outcome(ask(m, 'busy'));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toMatch(/^Rate limit exceeded for session busy; retry after \d+ ms$/);
    expect(error.retryAfterMs).toBeGreaterThan(1500);
    expect(error.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(events).toHaveLength(3);
    expect(m.getPendingCount()).toBe(3);
    ask(m, 'other');
    ask(m, null);
    expect(m.getPendingCount()).toBe(5);
  });

  test('the window slides: after retryAfterMs the session may ask again', async () => {
    const m = manager({ rateLimit: { max: 1, windowMs: 60 } });
    ask(m, 's');
    const { error } = await outcome(ask(m, 's'));
    await sleep(error.retryAfterMs + 5);
    ask(m, 's');
    expect(m.getPendingCount()).toBe(2);
  });

  test('answered interactions still count: the limit is on requests, not on pending ones', async () => {
    const m = manager({ rateLimit: { max: 2, windowMs: 1000 } });
    let id;
    m.on('interaction-request', (i) => (id = i.id));
    ask(m, 's');
    m.resolveInteraction(id, 1);
    ask(m, 's');
    expect((await outcome(ask(m, 's'))).error.code).toBe('RATE_LIMITED');
  });

  test('bad rateLimit options are refused', () => {
    const { InteractionManager } = require('..');
    expect(() => new InteractionManager({ rateLimit: { max: 0, windowMs: 10 } })).toThrow(/rateLimit.max/);
    expect(() => new InteractionManager({ rateLimit: { max: 1, windowMs: 0 } })).toThrow(/rateLimit.windowMs/);
    expect(() => new InteractionManager({ rateLimit: 5 })).toThrow(TypeError);
  });
});
