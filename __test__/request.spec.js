const { manager, outcome, recordEvents } = require('./helpers');

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestInteraction', () => {
  test('emits interaction-request synchronously with the legacy payload and the caller\'s objects', () => {
    const m = manager();
    const events = recordEvents(m);
    const data = { toolName: 'Bash', input: { command: 'ls' } };
    const metadata = { requestId: 'r1', riskLevel: 'low' };
    const before = Date.now();
    const p = m.requestInteraction({ type: 'permission', sessionId: 's1', data, metadata });
    expect(events).toHaveLength(1);
    const [name, payload] = events[0];
    expect(name).toBe('interaction-request');
    expect(Object.keys(payload)).toEqual(['id', 'type', 'sessionId', 'data', 'metadata', 'requestedAt']);
    expect(payload.id).toMatch(UUID_V4);
    expect(payload.type).toBe('permission');
    expect(payload.sessionId).toBe('s1');
    expect(payload.data).toBe(data);
    expect(payload.metadata).toBe(metadata);
    expect(payload.requestedAt).toBeGreaterThanOrEqual(before);
    expect(payload.requestedAt).toBeLessThanOrEqual(Date.now());
    expect(typeof p.then).toBe('function');
    expect(m.getPendingCount()).toBe(1);
  });

  test('metadata defaults to an empty object; a missing session is kept as given', () => {
    const m = manager();
    const events = recordEvents(m);
    m.requestInteraction({ type: 'ask-user', data: { questions: [] } });
    m.requestInteraction({ type: 'ask-user', sessionId: null, data: {} });
    expect(events[0][1].metadata).toEqual({});
    expect(events[0][1].sessionId).toBeUndefined();
    expect(events[1][1].sessionId).toBeNull();
    expect(m.getStatistics().sessionCount).toBe(0);
  });

  test('each request gets a distinct id', () => {
    const m = manager({ maxPendingTotal: 5000 });
    const ids = new Set();
    m.on('interaction-request', (i) => ids.add(i.id));
    for (let i = 0; i < 2000; i++) m.requestInteraction({ type: 'permission', sessionId: null, data: {} });
    expect(ids.size).toBe(2000);
  });

  test('getPendingInteractions returns fresh objects around the very data and metadata', () => {
    const m = manager();
    const data = { planData: 'x' };
    const metadata = { toolName: 'ExitPlanMode' };
    m.requestInteraction({ type: 'plan-approval', sessionId: 's', data, metadata });
    const [a] = m.getPendingInteractions(['s']);
    const [b] = m.getPendingInteractions(['s']);
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    expect(a.data).toBe(data);
    expect(a.metadata).toBe(metadata);
    a.sessionId = 'mutated';
    expect(m.getPendingInteractions(['s'])[0].sessionId).toBe('s');
  });

  test('a listener that throws in interaction-request gets the interaction rejected, not leaked', async () => {
    const m = manager();
    const rejected = [];
    m.on('interaction-rejected', (e) => rejected.push(e));
    m.once('interaction-request', () => {
      throw new Error('listener boom');
    });
    const { error } = await outcome(m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }));
    expect(error.code).toBe('REJECTED');
    expect(error.message).toBe('interaction-request listener failed: listener boom');
    expect(m.getPendingCount()).toBe(0);
    expect(rejected).toHaveLength(1);
  });
});
