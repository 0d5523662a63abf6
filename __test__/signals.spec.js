// Defects 2, 3 and 11 of issue 9: signals that fail, signals that are not whole, and one signal
// shared by many interactions.
const { manager, outcome, recordEvents } = require('./helpers');

const ask = (m, extra = {}) => m.requestInteraction({ type: 'permission', sessionId: 's', data: {}, ...extra });

describe('abort signals from careless callers', () => {
  test('addEventListener throws: the caller gets the error, nothing is registered, no event', async () => {
    const m = manager();
    const events = recordEvents(m);
    const signal = {
      aborted: false,
      addEventListener() {
        throw new Error('no listeners here');
      },
      removeEventListener() {},
    };
    const { error } = await outcome(ask(m, { signal }));
    expect(error.message).toBe('no listeners here');
    expect(m.getPendingCount()).toBe(0);
    expect(m.getStatistics()).toEqual({ pendingCount: 0, sessionCount: 0 });
    expect(events).toEqual([]);
    // The manager carries on with a good signal.
    const ac = new AbortController();
    const p = ask(m, { signal: ac.signal });
    ac.abort();
    expect((await outcome(p)).error.code).toBe('ABORTED');
  });

  test('a signal without removeEventListener is refused at request time with a TypeError', async () => {
    const m = manager();
    const partial = { aborted: false, addEventListener() {} };
    for (const where of [{ signal: partial }, { metadata: { abortSignal: partial } }]) {
      const { error } = await outcome(ask(m, where));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/removeEventListener/);
    }
    expect(m.getPendingCount()).toBe(0);
  });

  test('many interactions sharing one signal: one listener, added once and removed once', async () => {
    const m = manager({ maxPendingTotal: 20_000, maxInteractionsPerSession: 20_000 });
    const ac = new AbortController();
    const add = jest.spyOn(ac.signal, 'addEventListener');
    const remove = jest.spyOn(ac.signal, 'removeEventListener');
    const ids = [];
    m.on('interaction-request', (i) => ids.push(i.id));
    const all = Array.from({ length: 5000 }, () => ask(m, { signal: ac.signal }));
    expect(add).toHaveBeenCalledTimes(1);
    for (const id of ids) m.resolveInteraction(id, 'ok');
    expect(remove).toHaveBeenCalledTimes(1);
    expect((await Promise.all(all)).every((v) => v === 'ok')).toBe(true);
  });

  test('aborting a shared signal rejects every interaction on it, and only those', async () => {
    const m = manager({ maxPendingTotal: 50_000, maxInteractionsPerSession: 50_000 });
    const ac = new AbortController();
    const shared = Array.from({ length: 20_000 }, () => ask(m, { signal: ac.signal }));
    const other = ask(m);
    ac.abort();
    const codes = await Promise.all(shared.map((p) => outcome(p).then((o) => o.error.code)));
    expect(codes.every((c) => c === 'ABORTED')).toBe(true);
    expect(m.getPendingCount()).toBe(1);
    m.removeSession('s');
    expect((await outcome(other)).error.code).toBe('SESSION_REMOVED');
  });
});
