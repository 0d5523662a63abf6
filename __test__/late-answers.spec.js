// A late answer (the user clicked after the prompt ended) gets the truth: how and when it ended.
const { manager, sleep, silenceWarnings } = require('./helpers');

describe('late answers', () => {
  test.each([
    ['TIMEOUT', async (m) => sleep(40)],
    ['SESSION_REMOVED', async (m) => m.removeSession('s')],
    ['SHUTDOWN', async (m) => m.shutdown()],
    ['RESOLVED', async (m, id) => m.resolveInteraction(id, 'first')],
  ])('after %s, resolve and reject answer settledAs and settledAt', async (code, end) => {
    const warn = silenceWarnings();
    const m = manager({ interactionTimeoutMs: 20 });
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }).catch(() => {});
    const before = Date.now();
    await end(m, id);
    for (const late of [m.resolveInteraction(id, 'click', 's'), m.rejectInteraction(id, 'deny')]) {
      expect(late).toMatchObject({ success: false, error: 'invalid_or_decided', settledAs: code });
      expect(late.settledAt).toBeGreaterThanOrEqual(before - 5);
      expect(late.settledAt).toBeLessThanOrEqual(Date.now() + 5);
    }
    warn.mockRestore();
  });

  test('the record is bounded: the 10,001st settlement back is forgotten', () => {
    const m = manager({ interactionTimeoutMs: 0, maxPendingTotal: 20_000 });
    const warn = silenceWarnings();
    const ids = [];
    m.on('interaction-request', (i) => ids.push(i.id));
    for (let i = 0; i < 10_001; i++) {
      m.requestInteraction({ type: 't', sessionId: null, data: {} });
      m.resolveInteraction(ids[i], i);
    }
    expect(m.resolveInteraction(ids[0], 'late')).toEqual({ success: false, error: 'invalid_or_decided' });
    expect(m.resolveInteraction(ids[1], 'late')).toMatchObject({ settledAs: 'RESOLVED' });
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
