// Defect 10 of issue 9: only an absent third argument means "not given"; null and '' are
// compared exactly with the interaction's own sessionId, as the host's later version does.
const { manager } = require('./helpers');

function ask(m, sessionId) {
  let id;
  m.once('interaction-request', (i) => (id = i.id));
  m.requestInteraction({ type: 'permission', sessionId, data: {} });
  return id;
}

describe('an explicit falsy asker', () => {
  test('null does not answer another session, nor a prompt requested with ""', () => {
    const m = manager();
    const named = ask(m, 'owner');
    const empty = ask(m, '');
    expect(m.resolveInteraction(named, 1, null)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(named, 1, '')).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(empty, 1, null)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.getPendingCount()).toBe(2);
  });

  test('null answers what was requested with null; "" what was requested with ""', async () => {
    const m = manager();
    const nul = ask(m, null);
    const empty = ask(m, '');
    const none = ask(m, undefined);
    expect(m.resolveInteraction(nul, 1, '')).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(none, 1, null)).toEqual({ success: false, error: 'SESSION_MISMATCH' });
    expect(m.resolveInteraction(nul, 1, null)).toEqual({ success: true });
    expect(m.resolveInteraction(empty, 1, '')).toEqual({ success: true });
    // Absent: anyone may answer (unless requireSessionMatch).
    expect(m.resolveInteraction(none, 1)).toEqual({ success: true });
  });

  test('a socket without a session (null) cannot answer a session prompt even without requireSessionMatch', () => {
    const m = manager({ requireSessionMatch: false });
    const id = ask(m, 'victim');
    expect(m.resolveInteraction(id, { behavior: 'allow' }, null).success).toBe(false);
    expect(m.resolveInteraction(id, { behavior: 'allow' }, 0).success).toBe(false);
    expect(m.resolveInteraction(id, { behavior: 'allow' }, 'victim')).toEqual({ success: true });
  });
});
