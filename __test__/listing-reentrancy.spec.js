// Defect 5 of issue 9: a listing returns only what was asked for, whatever the argument's getters
// or a Proxy's traps do, even when they list other sessions from inside.
const { manager } = require('./helpers');

function setUp() {
  const m = manager({ maxInteractionsPerSession: 1000, maxPendingTotal: 2000 });
  const mine = { who: 'mine' };
  m.requestInteraction({ type: 'permission', sessionId: 'mine', data: mine });
  // More than the listing buffer holds, so an inner listing has to grow it.
  for (let i = 0; i < 600; i++) m.requestInteraction({ type: 'permission', sessionId: 'theirs', data: { who: 'theirs', i } });
  return { m, mine };
}

describe('re-entrant listing', () => {
  test('an element getter that lists another session', () => {
    const { m, mine } = setUp();
    let inner;
    const sessionIds = [];
    Object.defineProperty(sessionIds, 0, {
      enumerable: true,
      get() {
        inner = m.getPendingInteractions(['theirs']);
        return 'mine';
      },
    });
    const listed = m.getPendingInteractions(sessionIds);
    expect(listed.map((i) => i.data)).toEqual([mine]);
    expect(inner).toHaveLength(600);
    expect(inner.every((i) => i.data.who === 'theirs')).toBe(true);
  });

  test('a Proxy array whose traps list and remove sessions', () => {
    const { m, mine } = setUp();
    const proxy = new Proxy(['mine', 'gone'], {
      get(target, key, receiver) {
        if (key === '1') {
          m.getPendingInteractions(['theirs']);
          m.removeSession('theirs');
        }
        return Reflect.get(target, key, receiver);
      },
    });
    const listed = m.getPendingInteractions(proxy);
    expect(listed.map((i) => i.data)).toEqual([mine]);
    expect(m.getPendingCount()).toBe(1);
  });
});
