const { manager, outcome, recordEvents } = require('./helpers');

const ask = (m, sessionId, type = 'permission') => m.requestInteraction({ type, sessionId, data: { sessionId } });

describe('sessions', () => {
  test('removeSession rejects each pending interaction with SESSION_REMOVED and emits for each', async () => {
    const m = manager();
    const events = recordEvents(m);
    const a = ask(m, 'gone');
    const b = ask(m, 'gone');
    const kept = ask(m, 'kept');
    m.removeSession('gone');
    for (const p of [a, b]) {
      const { error } = await outcome(p);
      expect(error).toBeInstanceOf(Error);
      expect([error.message, error.code]).toEqual(['Session removed', 'SESSION_REMOVED']);
    }
    const rejected = events.filter(([n]) => n === 'interaction-rejected').map(([, e]) => e);
    expect(rejected.map((e) => [e.sessionId, e.code, e.reason])).toEqual([
      ['gone', 'SESSION_REMOVED', 'Session removed'],
      ['gone', 'SESSION_REMOVED', 'Session removed'],
    ]);
    expect(m.getPendingCount()).toBe(1);
    expect(m.getStatistics()).toMatchObject({ pendingCount: 1, sessionCount: 1 });
    m.removeSession('kept');
    await expect(kept).rejects.toThrow('Session removed');
  });

  test('removeSession of a falsy, unknown or non-string session is a no-op', () => {
    const m = manager();
    ask(m, 's');
    for (const s of [undefined, null, '', 0, 'unknown', 5, {}]) m.removeSession(s);
    expect(m.getPendingCount()).toBe(1);
  });

  test('listing follows the order of sessionIds, then request order, filtered by type', () => {
    const m = manager();
    ask(m, 'b', 'permission');
    ask(m, 'a', 'ask-user');
    ask(m, 'a', 'permission');
    ask(m, null, 'permission');
    const list = m.getPendingInteractions(['a', 'b', 'missing']);
    expect(list.map((i) => [i.sessionId, i.type])).toEqual([
      ['a', 'ask-user'],
      ['a', 'permission'],
      ['b', 'permission'],
    ]);
    expect(m.getPendingInteractions(['a', 'b'], 'permission').map((i) => i.sessionId)).toEqual(['a', 'b']);
    expect(m.getPendingInteractions(['a'], 'unknown-type')).toEqual([]);
    expect(m.getPendingInteractions([])).toEqual([]);
  });

  test('interactions without a session never appear in listings', () => {
    const m = manager();
    ask(m, null);
    ask(m, undefined);
    ask(m, '');
    expect(m.getPendingInteractions(['', 'null', 'undefined'])).toEqual([]);
    expect(m.getPendingCount()).toBe(3);
  });

  test('the per-session limit rejects with the legacy message and TOO_MANY_PENDING', async () => {
    const m = manager({ maxInteractionsPerSession: 3 });
    const events = recordEvents(m);
    for (let i = 0; i < 3; i++) ask(m, 'busy');
    const { error } = await outcome(ask(m, 'busy'));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Too many pending interactions for session busy');
    expect(error.code).toBe('TOO_MANY_PENDING');
    expect(error.interactionId).toBeUndefined();
    expect(events).toHaveLength(3);
    expect(m.getStatistics().permission.total).toBe(3);
    await expect(ask(m, 'other')).toBeDefined();
    expect(m.getPendingCount()).toBe(4);
  });

  test('the default per-session limit is 100, as in the legacy manager', async () => {
    const m = manager();
    for (let i = 0; i < 100; i++) ask(m, 's');
    await expect(ask(m, 's')).rejects.toMatchObject({ code: 'TOO_MANY_PENDING' });
    ask(m, null);
    expect(m.getPendingCount()).toBe(101);
  });

  test('maxPendingTotal caps the whole manager', async () => {
    const m = manager({ maxPendingTotal: 2 });
    ask(m, null);
    ask(m, 'x');
    await expect(ask(m, 'y')).rejects.toMatchObject({ code: 'TOO_MANY_PENDING', message: 'Too many pending interactions (limit 2)' });
  });

  test('getStatistics keeps the legacy shape', () => {
    const m = manager();
    ask(m, 's', 'permission');
    ask(m, 's', 'ask-user');
    const stats = m.getStatistics();
    expect(stats).toEqual({
      permission: { total: 1, resolved: 0, rejected: 0 },
      'ask-user': { total: 1, resolved: 0, rejected: 0 },
      pendingCount: 2,
      sessionCount: 1,
    });
    expect(m.getStatistics()).not.toBe(stats);
  });
});
