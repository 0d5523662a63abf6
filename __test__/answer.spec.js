const { manager, outcome, recordEvents, silenceWarnings } = require('./helpers');

function ask(m, sessionId = 's1', type = 'permission') {
  let id;
  m.once('interaction-request', (i) => (id = i.id));
  const promise = m.requestInteraction({ type, sessionId, data: {} });
  return { id, promise };
}

describe('resolveInteraction', () => {
  test('resolves with the very response object, then emits interaction-resolved', async () => {
    const m = manager();
    const events = recordEvents(m);
    const { id, promise } = ask(m);
    const response = { behavior: 'allow', updatedInput: {} };
    expect(m.resolveInteraction(id, response)).toEqual({ success: true });
    await expect(promise).resolves.toBe(response);
    const [name, payload] = events[1];
    expect(name).toBe('interaction-resolved');
    expect(Object.keys(payload)).toEqual(['interactionId', 'sessionId', 'resolvedAt']);
    expect(payload).toMatchObject({ interactionId: id, sessionId: 's1' });
    expect(m.getPendingCount()).toBe(0);
    expect(m.getStatistics().sessionCount).toBe(0);
  });

  test('an unknown id answers invalid_or_decided and warns; a settled one also says how it ended', () => {
    const m = manager();
    const warn = silenceWarnings();
    const { id } = ask(m);
    expect(m.resolveInteraction(id, 1)).toEqual({ success: true });
    const before = Date.now();
    const late = m.resolveInteraction(id, 2);
    expect(late).toMatchObject({ success: false, error: 'invalid_or_decided', settledAs: 'RESOLVED' });
    expect(late.settledAt).toBeGreaterThanOrEqual(before - 50);
    expect(late.settledAt).toBeLessThanOrEqual(Date.now() + 5);
    expect(m.resolveInteraction('nope', 2)).toEqual({ success: false, error: 'invalid_or_decided' });
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  test('the third argument must match the interaction\'s session', async () => {
    const m = manager();
    const { id, promise } = ask(m, 'owner');
    expect(m.resolveInteraction(id, 'x', 'intruder')).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(id, 'x', 42)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.getPendingCount()).toBe(1);
    expect(m.resolveInteraction(id, 'ok', 'owner')).toEqual({ success: true });
    await expect(promise).resolves.toBe('ok');
  });

  test('a session-less interaction refuses a named answerer; without the argument anyone may answer', () => {
    const m = manager();
    const a = ask(m, null);
    expect(m.resolveInteraction(a.id, 1, 's1')).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(a.id, 1, undefined)).toEqual({ success: true });
  });

  test('requireSessionMatch refuses answers that name no session', () => {
    const m = manager({ requireSessionMatch: true });
    const { id } = ask(m, 'owner');
    expect(m.resolveInteraction(id, 1)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(id, 1, null)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(id, 1, 'owner')).toEqual({ success: true });
  });

  test('undefined and primitive responses pass through', async () => {
    const m = manager();
    for (const response of [undefined, null, 0, '', false, 'yes']) {
      const { id, promise } = ask(m);
      m.resolveInteraction(id, response);
      await expect(promise).resolves.toBe(response);
    }
  });
});

describe('rejectInteraction', () => {
  test('rejects with an Error of this realm carrying the reason, REJECTED and the id', async () => {
    const m = manager();
    const events = recordEvents(m);
    const { id, promise } = ask(m);
    expect(m.rejectInteraction(id, 'User denied')).toEqual({ success: true });
    const { error } = await outcome(promise);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('User denied');
    expect(error.code).toBe('REJECTED');
    expect(error.interactionId).toBe(id);
    const [name, payload] = events[1];
    expect(name).toBe('interaction-rejected');
    expect(payload).toMatchObject({ interactionId: id, sessionId: 's1', reason: 'User denied', code: 'REJECTED' });
    expect(typeof payload.rejectedAt).toBe('number');
  });

  test('the default reason is the legacy text; odd reasons are stringified safely', async () => {
    const m = manager();
    const cases = [
      [undefined, 'Interaction rejected'],
      [42, '42'],
      [{}, '[object Object]'],
      [Symbol('s'), 'Symbol(s)'],
    ];
    for (const [reason, message] of cases) {
      const { id, promise } = ask(m);
      m.rejectInteraction(id, reason);
      await expect(promise).rejects.toThrow(message);
    }
  });

  test('a second settle loses the race and changes nothing', async () => {
    const m = manager();
    const warn = silenceWarnings();
    const { id, promise } = ask(m);
    m.rejectInteraction(id, 'first');
    expect(m.rejectInteraction(id, 'second')).toMatchObject({ success: false, error: 'invalid_or_decided', settledAs: 'REJECTED' });
    expect(m.resolveInteraction(id, 'late')).toMatchObject({ success: false, error: 'invalid_or_decided', settledAs: 'REJECTED' });
    await expect(promise).rejects.toThrow('first');
    expect(m.getStatistics().permission).toEqual({ total: 1, resolved: 0, rejected: 1 });
    warn.mockRestore();
  });
});

describe('error stacks', () => {
  test('bulk endings carry no stack frames; a single rejection keeps its stack', async () => {
    const limit = Error.stackTraceLimit;
    const m = manager();
    const removed = m.requestInteraction({ type: 't', sessionId: 'gone', data: {} });
    m.removeSession('gone');
    const { error: bulk } = await outcome(removed);
    expect(bulk.stack).toBe('InteractionError: Session removed');
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    const single = m.requestInteraction({ type: 't', sessionId: 's', data: {} });
    m.rejectInteraction(id, 'no');
    const { error: one } = await outcome(single);
    expect(one.stack.split('\n').length).toBeGreaterThan(1);
    expect(Error.stackTraceLimit).toBe(limit); // restored after the bulk ending
  });
});
