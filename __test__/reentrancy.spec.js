// Listeners may call back into the manager from inside any event, and may throw. Rust never
// holds the registry while JS runs, so re-entry sees a consistent state; a throwing listener
// never leaves an interaction half-registered or unsettled.
const { manager, outcome, sleep } = require('./helpers');
const { BaselineInteractionManager } = require('../benchmark/baseline.js');

const ask = (m, sessionId = 's', extra = {}) => m.requestInteraction({ type: 'permission', sessionId, data: {}, ...extra });

describe('re-entrant listeners', () => {
  test('interaction-request: resolving the interaction from inside its own event', async () => {
    const m = manager();
    m.once('interaction-request', (i) => m.resolveInteraction(i.id, 'instant'));
    await expect(ask(m)).resolves.toBe('instant');
    expect(m.getPendingCount()).toBe(0);
  });

  test('interaction-request: listing, removing the session and shutting down from inside', async () => {
    const m = manager();
    const seen = [];
    m.once('interaction-request', (i) => seen.push(m.getPendingInteractions(['s']).map((p) => p.id === i.id)));
    await Promise.resolve();
    const first = ask(m);
    expect(seen).toEqual([[true]]);
    m.once('interaction-request', () => m.removeSession('s'));
    const second = ask(m);
    expect((await outcome(first)).error.code).toBe('SESSION_REMOVED');
    expect((await outcome(second)).error.code).toBe('SESSION_REMOVED');
    m.once('interaction-request', () => m.shutdown());
    expect((await outcome(ask(m))).error.code).toBe('SHUTDOWN');
    expect(m.getPendingCount()).toBe(0);
  });

  test('interaction-resolved: requesting and resolving more from inside', async () => {
    const m = manager();
    const chain = [];
    m.on('interaction-resolved', (e) => {
      if (chain.length < 3) chain.push(ask(m, e.sessionId));
    });
    m.on('interaction-request', (i) => queueMicrotask(() => m.resolveInteraction(i.id, i.id)));
    await ask(m);
    await sleep(5);
    await Promise.all(chain);
    expect(chain).toHaveLength(3);
    expect(m.getPendingCount()).toBe(0);
  });

  test('interaction-rejected: removing other sessions and shutting down during a removal, as the pure-JS manager does', async () => {
    const run = async (m) => {
      const a = [ask(m, 'a'), ask(m, 'a')];
      const b = ask(m, 'b');
      const c = ask(m, null);
      let calls = 0;
      const counts = [];
      m.on('interaction-rejected', () => {
        calls++;
        counts.push(m.getPendingCount());
        if (calls === 1) m.removeSession('b');
        if (calls === 2) m.shutdown();
      });
      m.removeSession('a');
      const codes = await Promise.all([...a, b, c].map((p) => outcome(p).then((o) => o.error.code)));
      return { codes, calls, counts, pending: m.getPendingCount() };
    };
    const native = await run(manager());
    // The second of session a is still pending when the first one's listener shuts down.
    expect(native).toEqual({ codes: ['SESSION_REMOVED', 'SHUTDOWN', 'SESSION_REMOVED', 'SHUTDOWN'], calls: 4, counts: [3, 2, 1, 0], pending: 0 });
    expect(native).toEqual(await run(new BaselineInteractionManager({ interactionTimeoutMs: 0 })));
  });

  test('interaction-rejected during a mass timeout: shutting down from the first event', async () => {
    const m = manager({ maxPendingTotal: 5000, maxInteractionsPerSession: 5000 });
    const all = Array.from({ length: 3000 }, (_, i) => ask(m, `s${i % 10}`, { timeoutMs: i < 1000 ? 10 : 0 }));
    m.once('interaction-rejected', () => m.shutdown());
    const codes = await Promise.all(all.map((p) => outcome(p).then((o) => o.error.code)));
    expect(codes.filter((c) => c === 'TIMEOUT').length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 'TIMEOUT' || c === 'SHUTDOWN')).toBe(true);
    expect(codes.slice(1000).every((c) => c === 'SHUTDOWN')).toBe(true);
    expect(m.getPendingCount()).toBe(0);
  });
});

describe('throwing listeners', () => {
  test('interaction-request: the interaction is rejected, not leaked, and the caller hears why', async () => {
    const m = manager();
    m.once('interaction-request', () => {
      throw new Error('listener bug');
    });
    const { error } = await outcome(ask(m));
    expect(error.code).toBe('REJECTED');
    expect(error.message).toMatch(/listener bug/);
    expect(m.getPendingCount()).toBe(0);
  });

  test('interaction-resolved: the answer stands and the error reaches the caller of resolveInteraction', async () => {
    const m = manager();
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    const p = ask(m);
    m.once('interaction-resolved', () => {
      throw new Error('resolved listener bug');
    });
    expect(() => m.resolveInteraction(id, 'yes')).toThrow('resolved listener bug');
    await expect(p).resolves.toBe('yes');
    expect(m.getPendingCount()).toBe(0);
  });

  test('interaction-rejected: every event is still emitted and every interaction settled', async () => {
    const m = manager();
    const all = [ask(m, 'x'), ask(m, 'x'), ask(m, 'x')];
    const seen = [];
    m.on('interaction-rejected', (e) => {
      seen.push(e.interactionId);
      throw new Error(`rejected listener bug ${seen.length}`);
    });
    expect(() => m.removeSession('x')).toThrow('rejected listener bug 1');
    expect(seen).toHaveLength(3);
    for (const p of all) expect((await outcome(p)).error.code).toBe('SESSION_REMOVED');
    expect(m.getStatistics()).toMatchObject({ pendingCount: 0, sessionCount: 0 });
  });
});
