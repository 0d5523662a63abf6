// touchInteraction restarts the timeout (the user opened the dialog, is typing); maxTotalMs
// caps the whole wait, so slow humans are not cut off while abandoned prompts still end.
const { manager, outcome, sleep, silenceWarnings } = require('./helpers');

describe('touchInteraction and maxTotalMs', () => {
  test('touching keeps a prompt alive past its timeout', async () => {
    const m = manager({ interactionTimeoutMs: 250 });
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    const p = m.requestInteraction({ type: 'ask-user', sessionId: 's', data: {} });
    for (let i = 0; i < 4; i++) {
      await sleep(100);
      expect(m.touchInteraction(id)).toEqual({ success: true });
    }
    expect(m.getPendingCount()).toBe(1);
    m.resolveInteraction(id, 'typed an answer');
    await expect(p).resolves.toBe('typed an answer');
  });

  test('maxTotalMs ends it with TIMEOUT however often it is touched', async () => {
    const m = manager({ interactionTimeoutMs: 60 });
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    const started = Date.now();
    const p = outcome(m.requestInteraction({ type: 'ask-user', sessionId: 's', data: {}, maxTotalMs: 120 }));
    const toucher = setInterval(() => m.touchInteraction(id), 20);
    const { error } = await p;
    clearInterval(toucher);
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('maxTotalMs alone bounds an interaction without a timeout', async () => {
    const m = manager({ interactionTimeoutMs: 0 });
    const { error } = await outcome(m.requestInteraction({ type: 't', sessionId: null, data: {}, maxTotalMs: 30 }));
    expect(error.code).toBe('TIMEOUT');
  });

  test('touching an unknown or settled id answers like a late answer', async () => {
    const m = manager();
    const warn = silenceWarnings();
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    m.requestInteraction({ type: 't', sessionId: 's', data: {} });
    m.removeSession('s');
    expect(m.touchInteraction(id)).toMatchObject({ success: false, error: 'invalid_or_decided', settledAs: 'SESSION_REMOVED' });
    expect(m.touchInteraction('nope')).toEqual({ success: false, error: 'invalid_or_decided' });
    expect(m.touchInteraction(42)).toEqual({ success: false, error: 'invalid_or_decided' });
    warn.mockRestore();
  });

  test('a bad maxTotalMs rejects the request', async () => {
    const m = manager();
    await expect(m.requestInteraction({ type: 't', data: {}, maxTotalMs: -1 })).rejects.toThrow(TypeError);
  });
});
