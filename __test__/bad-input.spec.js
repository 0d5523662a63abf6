const { manager, outcome, silenceWarnings } = require('./helpers');

const BIG = 'x'.repeat(100 * 1024);
const circular = { name: 'loop' };
circular.self = circular;
const networkValues = [undefined, null, 0, 1.5, NaN, -1, true, '', 'x', BIG, Symbol('id'), {}, [], [1], () => 1, circular, 10n, '\uD800'];

describe('bad input never crashes and gets the contract\'s answer', () => {
  let warn;
  beforeEach(() => (warn = silenceWarnings()));
  afterEach(() => warn.mockRestore());

  test('requestInteraction with bad arguments rejects with a TypeError, never throws', async () => {
    const m = manager();
    const bad = [
      undefined,
      null,
      42,
      'permission',
      Symbol('x'),
      {},
      { type: 5 },
      { type: '' },
      { type: Symbol('t') },
      { type: 'permission', sessionId: 5 },
      { type: 'permission', sessionId: {} },
      { type: 'permission', sessionId: Symbol('s') },
      { type: 'permission', sessionId: BIG },
      { type: 'permission', sessionId: 'a\uD800b' },
      { type: BIG },
    ];
    for (const args of bad) {
      let p;
      expect(() => (p = m.requestInteraction(args))).not.toThrow();
      const { error } = await outcome(p);
      expect(error).toBeInstanceOf(TypeError);
    }
    expect(m.getPendingCount()).toBe(0);
    expect(m.getStatistics()).toEqual({ pendingCount: 0, sessionCount: 0 });
  });

  test('odd but valid payloads are held by reference: circular data, functions, symbols, big strings', async () => {
    const m = manager();
    const fn = () => 'callback';
    const data = { circular, fn, sym: Symbol('s'), big: BIG };
    const metadata = { onDone: fn, nested: circular };
    const p = m.requestInteraction({ type: 'permission', sessionId: 's', data, metadata });
    const [pending] = m.getPendingInteractions(['s']);
    expect(pending.data).toBe(data);
    expect(pending.metadata).toBe(metadata);
    m.resolveInteraction(pending.id, circular);
    await expect(p).resolves.toBe(circular);
  });

  test('resolve and reject with any network value as id answer invalid_or_decided', () => {
    const m = manager();
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    for (const id of networkValues) {
      expect(m.resolveInteraction(id, { any: 'thing' })).toEqual({ success: false, error: 'invalid_or_decided' });
      expect(m.resolveInteraction(id, {}, 's')).toEqual({ success: false, error: 'invalid_or_decided' });
      expect(m.rejectInteraction(id, 'r')).toEqual({ success: false, error: 'invalid_or_decided' });
    }
    const [{ id }] = m.getPendingInteractions(['s']);
    expect(m.resolveInteraction(id.toUpperCase(), 1)).toEqual({ success: false, error: 'invalid_or_decided' });
    expect(m.resolveInteraction(` ${id}`, 1)).toEqual({ success: false, error: 'invalid_or_decided' });
    expect(m.getPendingCount()).toBe(1);
  });

  test('any network value as the answering session is a mismatch unless it is the owner', () => {
    const m = manager();
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    const [{ id }] = m.getPendingInteractions(['s']);
    // Falsy values name no session (legacy truthiness), so anyone may answer: tested elsewhere.
    for (const asker of networkValues.filter(Boolean)) {
      expect(m.resolveInteraction(id, 1, asker)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    }
    expect(m.getPendingCount()).toBe(1);
  });

  test('listing with any value as sessionIds or type returns an array and never throws', () => {
    const m = manager();
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    for (const v of networkValues) {
      expect(Array.isArray(m.getPendingInteractions(v))).toBe(true);
      expect(Array.isArray(m.getPendingInteractions(['s'], v === undefined || v === null ? 5 : v))).toBe(true);
      expect(Array.isArray(m.getPendingInteractions([v, 's']))).toBe(true);
    }
    expect(m.getPendingInteractions([5, 's', {}, BIG])).toHaveLength(1);
    expect(m.getPendingInteractions(['s'], 'permission')).toHaveLength(1);
  });

  test('removeSession with any value changes nothing unless it names a session', () => {
    const m = manager();
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    for (const v of networkValues) m.removeSession(v);
    expect(m.getPendingCount()).toBe(1);
  });

  test('a warning for a huge id stays short', () => {
    const m = manager();
    m.resolveInteraction(BIG, 1);
    expect(warn.mock.calls[0][0].length).toBeLessThan(200);
  });
});
