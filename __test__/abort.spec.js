const { manager, outcome, recordEvents } = require('./helpers');

function spySignal(signal) {
  const added = [];
  const removed = [];
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (t, f, o) => (added.push(f), add(t, f, o));
  signal.removeEventListener = (t, f, o) => (removed.push(f), remove(t, f, o));
  return { added, removed };
}

describe('abort signals', () => {
  test('a later abort of metadata.abortSignal rejects with ABORTED and emits', async () => {
    const m = manager();
    const events = recordEvents(m);
    const ac = new AbortController();
    const p = m.requestInteraction({ type: 'permission', sessionId: 's', data: {}, metadata: { abortSignal: ac.signal } });
    ac.abort();
    const { error } = await outcome(p);
    expect(error).toBeInstanceOf(Error);
    expect([error.message, error.code]).toEqual(['Interaction aborted', 'ABORTED']);
    expect(error.interactionId).toBe(events[0][1].id);
    expect(events[1][1]).toMatchObject({ code: 'ABORTED', sessionId: 's' });
    expect(m.getPendingCount()).toBe(0);
  });

  test('a top-level signal works the same way', async () => {
    const m = manager();
    const ac = new AbortController();
    const p = m.requestInteraction({ type: 'permission', sessionId: 's', data: {}, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  test('an already-aborted signal rejects at once and registers nothing', async () => {
    const m = manager();
    const events = recordEvents(m);
    const p = m.requestInteraction({ type: 'permission', sessionId: 's', data: {}, signal: AbortSignal.abort() });
    const { error } = await outcome(p);
    expect(error.code).toBe('ABORTED');
    expect(events).toEqual([]);
    expect(m.getPendingCount()).toBe(0);
  });

  test('the abort listener is removed on every other settlement', async () => {
    const m = manager({ interactionTimeoutMs: 20 });
    const settlers = {
      resolve: (id) => m.resolveInteraction(id, 'ok'),
      reject: (id) => m.rejectInteraction(id, 'no'),
      removeSession: () => m.removeSession('s'),
      timeout: () => {},
      stale: () => {},
      shutdown: () => {},
    };
    for (const [how, settle] of Object.entries(settlers)) {
      const ac = new AbortController();
      const spy = spySignal(ac.signal);
      let id;
      m.once('interaction-request', (i) => (id = i.id));
      const p = outcome(m.requestInteraction({ type: 't', sessionId: 's', data: {}, signal: ac.signal }));
      settle(id);
      await p;
      expect([how, spy.added.length, spy.removed]).toEqual([how, 1, spy.added]);
      ac.abort(); // must change nothing now
    }
    expect(m.getPendingCount()).toBe(0);
  });

  test('shutdown removes the abort listeners', async () => {
    const m = manager();
    const ac = new AbortController();
    const spy = spySignal(ac.signal);
    const p = outcome(m.requestInteraction({ type: 't', sessionId: 's', data: {}, signal: ac.signal }));
    m.shutdown();
    expect((await p).error.code).toBe('SHUTDOWN');
    expect(spy.removed).toEqual(spy.added);
  });

  test('something that is not an AbortSignal is refused', async () => {
    const m = manager();
    await expect(m.requestInteraction({ type: 't', data: {}, signal: {} })).rejects.toThrow(TypeError);
    await expect(m.requestInteraction({ type: 't', data: {}, metadata: { abortSignal: 'yes' } })).rejects.toThrow(TypeError);
  });
});
