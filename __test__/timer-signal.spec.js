// Issue 17, part 2: the manager's one timer is a signal, not the clock's judge. When it fires,
// what it was armed for is due, whatever `performance.now()` says; an API call that finds the
// timer gone (a fake-timer library cleared, reset or uninstalled it) settles what is overdue and
// arms it again; a timer id without `unref` is used as it is. Each test would leave an
// interaction pending (or the loop spinning) on the code before this part.
const FakeTimers = require('@sinonjs/fake-timers');
const { InteractionManager } = require('..');
const { outcome } = require('./helpers');

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

// How `p` stands once the microtasks of the moment have run (no timer: they are fake here).
const pending = async (p) => {
  let later = Promise.resolve();
  for (let i = 0; i < 10; i++) later = later.then(() => undefined);
  const state = await Promise.race([outcome(p), later.then(() => 'pending')]);
  return state === 'pending' ? 'pending' : state.error ? state.error.code : 'resolved';
};

test('a deadline whose delay rounds to one more millisecond still fires when the fake clock moves by the timeout', async () => {
  // `x + 1000 - x` is 1000.0000000000073 at this x: a timer made for Math.ceil of it (1001 ms)
  // would not fire when the clock is moved on by 1000.
  jest.useFakeTimers({ doNotFake: ['performance'] });
  jest.spyOn(performance, 'now').mockReturnValue(65218.408401999994);
  const m = new InteractionManager({ interactionTimeoutMs: 1000, cleanupIntervalMs: 0 });
  const p = m.requestInteraction({ type: 'permission', sessionId: 's' });
  jest.advanceTimersByTime(1000);
  expect(await pending(p)).toBe('TIMEOUT');
  m.shutdown();
});

test('performance.now stubbed to a constant: the timer fires once, and is not re-armed again and again', async () => {
  jest.useFakeTimers({ doNotFake: ['performance'] });
  jest.spyOn(performance, 'now').mockReturnValue(5000);
  const m = new InteractionManager({ interactionTimeoutMs: 300, cleanupIntervalMs: 0 });
  const p = m.requestInteraction({ type: 'permission', sessionId: 's' });
  jest.advanceTimersByTime(300);
  expect(await pending(p)).toBe('TIMEOUT');
  // Nothing is left armed: a timer re-armed whenever it fires would still be counted here.
  jest.advanceTimersByTime(10_000);
  expect(jest.getTimerCount()).toBe(0);
  m.shutdown();
});

test('jest.clearAllTimers() while the timer is armed: the next call arms it again, and later deadlines still fire', async () => {
  jest.useFakeTimers();
  const m = new InteractionManager({ interactionTimeoutMs: 1000, cleanupIntervalMs: 0 });
  const first = m.requestInteraction({ type: 'permission', sessionId: 's' });
  jest.clearAllTimers();
  jest.advanceTimersByTime(500);
  const second = m.requestInteraction({ type: 'permission', sessionId: 's' });
  jest.advanceTimersByTime(500);
  expect(await pending(first)).toBe('TIMEOUT');
  expect(await pending(second)).toBe('pending');
  jest.advanceTimersByTime(500);
  expect(await pending(second)).toBe('TIMEOUT');
  m.shutdown();
});

test('Jest legacy fake timers: a timeout fires', async () => {
  jest.useFakeTimers({ legacyFakeTimers: true });
  const m = new InteractionManager({ interactionTimeoutMs: 1000, cleanupIntervalMs: 0 });
  const p = m.requestInteraction({ type: 'permission', sessionId: 's' });
  jest.advanceTimersByTime(999);
  expect(await pending(p)).toBe('pending');
  jest.advanceTimersByTime(1);
  expect(await pending(p)).toBe('TIMEOUT');
  m.shutdown();
});

test('a setTimeout that returns a number (jsdom, happy-dom): the request succeeds and times out', async () => {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const handles = new Map();
  let next = 1;
  globalThis.setTimeout = (f, ms, ...a) => {
    const id = next++;
    handles.set(id, realSetTimeout(f, ms, ...a));
    return id;
  };
  globalThis.clearTimeout = (id) => {
    if (typeof id === 'number') realClearTimeout(handles.get(id));
    else realClearTimeout(id);
  };
  try {
    const m = new InteractionManager({ interactionTimeoutMs: 50, cleanupIntervalMs: 0 });
    const p = m.requestInteraction({ type: 'permission', sessionId: 's' });
    expect(m.getPendingCount()).toBe(1);
    expect((await outcome(p)).error.code).toBe('TIMEOUT');
    m.shutdown();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
  }
});

describe('@sinonjs/fake-timers (sinon.useFakeTimers)', () => {
  // The clock sinon.useFakeTimers() installs: timers, immediates, performance.now and Date.
  const fakeClock = () => FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance', 'Date'] });

  test('installed after real time passed: a timeout fires at its fake time, not later', async () => {
    const m = new InteractionManager({ interactionTimeoutMs: 1000, cleanupIntervalMs: 0 });
    await new Promise((r) => setTimeout(r, 30));
    const clock = fakeClock();
    try {
      const p = m.requestInteraction({ type: 'permission', sessionId: 's' });
      clock.tick(999);
      expect(await pending(p)).toBe('pending');
      clock.tick(1);
      expect(await pending(p)).toBe('TIMEOUT');
    } finally {
      clock.uninstall();
      m.shutdown();
    }
  });

  test('clock.reset() with the timer armed: the next call arms it again', async () => {
    const clock = fakeClock();
    const m = new InteractionManager({ interactionTimeoutMs: 1000, cleanupIntervalMs: 0 });
    try {
      const first = m.requestInteraction({ type: 'permission', sessionId: 's' });
      clock.reset();
      const second = m.requestInteraction({ type: 'permission', sessionId: 's' });
      clock.tick(1000);
      expect(await pending(first)).toBe('TIMEOUT');
      expect(await pending(second)).toBe('TIMEOUT');
    } finally {
      clock.uninstall();
      m.shutdown();
    }
  });

  test('uninstalled with the timer armed: the real clock takes over, and the interaction times out', async () => {
    const clock = fakeClock();
    const m = new InteractionManager({ interactionTimeoutMs: 80, cleanupIntervalMs: 0 });
    const ended = outcome(m.requestInteraction({ type: 'permission', sessionId: 's' }));
    clock.uninstall();
    // The fake timer went with the fake clock. The next API call notices: by the real clock
    // (ahead of the fake one, which began at 0) the interaction is overdue, and it ends.
    expect(m.getPendingCount()).toBe(0);
    expect((await ended).error.code).toBe('TIMEOUT');
    m.shutdown();
  });
});
