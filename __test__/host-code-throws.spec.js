// Issue 17, part 1: no host code runs inside the finish path. Every function the host hands the
// manager (a logger, listeners, an AbortSignal's methods, the global timer functions, randomUUID)
// is made to throw once on every path; each time, every interaction still settles as it would
// have, every event is still emitted, nothing stays registered and every `data` is collected.
// The error reaches the caller (or, for the timer's endings, the timer's caller).
const crypto = require('node:crypto');
const { InteractionManager } = require('..');
const { gcProbe, outcome, tick } = require('./helpers');

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

// One trap: armed, the named host function throws once, then behaves again.
function trap() {
  const t = { armed: null, fired: 0 };
  t.hit = (name) => {
    if (t.armed !== name) return;
    t.armed = null;
    t.fired++;
    throw new Error(`${name} failed`);
  };
  return t;
}

// How each path ends three interactions of session `s`, and the code they end with.
const PATHS = {
  removeSession: { code: 'SESSION_REMOVED', run: (m) => m.removeSession('s') },
  shutdown: { code: 'SHUTDOWN', run: (m) => m.shutdown() },
  timeout: { code: 'TIMEOUT', run: () => jest.advanceTimersByTime(1000) },
  // A detach whose timer function threw registered nothing, so the host's retry is what ends them.
  grace: { code: 'SESSION_REMOVED', run: (m) => each([() => m.detachSession('s', { graceMs: 200 }), () => m.detachSession('s', { graceMs: 200 }), () => jest.advanceTimersByTime(300)]) },
  stale: { code: 'STALE', run: (m) => (jest.advanceTimersByTime(600), m.cleanupStaleInteractions()) },
  abort: { code: 'ABORTED', run: (m, abort) => abort() },
  reject: { code: 'REJECTED', run: (m, abort, ids) => each(ids.map((id) => () => m.rejectInteraction(id, 'no'))) },
  resolve: { code: 'RESOLVED', run: (m, abort, ids) => each(ids.map((id) => () => m.resolveInteraction(id, 'yes'))) },
};

// Runs every step, as a host's loop with a try/catch would, and throws the first error after.
function each(steps) {
  let failure;
  for (const step of steps) {
    try {
      step();
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure) throw failure;
}

// Where each host function is called from, and so on which paths it can throw.
const HOST = ['logger', 'interaction-rejected', 'interaction-resolved', 'removeEventListener', 'setTimeout', 'clearTimeout'];

async function run(pathName, host) {
  jest.useFakeTimers();
  const t = trap();
  const logger = { debug: () => t.hit('logger'), warn: () => {}, error: () => {} };
  const m = new InteractionManager({ logger, interactionTimeoutMs: pathName === 'timeout' ? 1000 : 0, staleThresholdMs: 500, cleanupIntervalMs: 0 });
  const events = [];
  m.on('interaction-rejected', (e) => (events.push(e.code), t.hit('interaction-rejected')));
  m.on('interaction-resolved', () => (events.push('RESOLVED'), t.hit('interaction-resolved')));
  // A signal of the host's own (an AbortSignal's listener errors would go to the process, not
  // back to abort()'s caller): what the listener throws comes out of abort() here.
  const listeners = new Set();
  const signal = {
    aborted: false,
    addEventListener: (type, f) => listeners.add(f),
    removeEventListener: (type, f) => (t.hit('removeEventListener'), listeners.delete(f)),
  };
  const abort = () => {
    signal.aborted = true;
    for (const f of [...listeners]) f();
  };
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  globalThis.setTimeout = (...a) => (t.hit('setTimeout'), realSetTimeout(...a));
  globalThis.clearTimeout = (...a) => (t.hit('clearTimeout'), realClearTimeout(...a));
  const probe = gcProbe();
  const ids = [];
  m.on('interaction-request', (i) => ids.push(i.id));
  const all = [0, 1, 2].map((k) => m.requestInteraction({ type: 'permission', sessionId: 's', data: probe.watch({ k }, `data ${k}`), signal }));
  t.armed = host;
  let thrown;
  try {
    PATHS[pathName].run(m, abort, ids);
  } catch (err) {
    thrown = err;
  }
  globalThis.setTimeout = realSetTimeout;
  globalThis.clearTimeout = realClearTimeout;
  jest.useRealTimers();
  const codes = await Promise.all(all.map((p) => outcome(p).then((o) => (o.error ? o.error.code : 'RESOLVED'))));
  const left = m.getPendingCount();
  m.shutdown();
  await tick();
  return { fired: t.fired, thrown, codes, events, left, kept: await probe.collected() };
}

// Every path: the bulk endings, the timer's (timeout, grace), the stale sweep, an abort and the
// answers.
describe.each(Object.keys(PATHS))('%s', (pathName) => {
  test.each(HOST)('with %s throwing: every settlement, event and freeing happens, and the error surfaces', async (host) => {
    const r = await run(pathName, host);
    const code = PATHS[pathName].code;
    expect(r.codes).toEqual([code, code, code]);
    expect(r.events).toEqual([code, code, code]);
    expect(r.left).toBe(0);
    expect(r.kept).toEqual([]);
    // Whenever the host function threw, its error came out of the call (the timer's endings
    // throw out of advanceTimersByTime, as out of the timer's callback).
    if (r.fired > 0) expect(r.thrown && r.thrown.message).toBe(`${host} failed`);
    else expect(r.thrown).toBeUndefined();
  });
});

describe('requestInteraction', () => {
  test.each(['logger', 'setTimeout', 'addEventListener', 'randomUUID'])('with %s throwing: the caller gets the error, nothing is registered', async (host) => {
    const t = trap();
    const logger = { debug: () => t.hit('logger'), warn: () => {}, error: () => {} };
    const m = new InteractionManager({ logger, interactionTimeoutMs: 1000 });
    const signal = new AbortController().signal;
    const add = signal.addEventListener.bind(signal);
    signal.addEventListener = (...a) => (t.hit('addEventListener'), add(...a));
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = (...a) => (t.hit('setTimeout'), realSetTimeout(...a));
    const uuid = crypto.randomUUID;
    jest.spyOn(crypto, 'randomUUID').mockImplementation(() => (t.hit('randomUUID'), uuid()));
    const requested = [];
    m.on('interaction-request', (i) => requested.push(i.id));
    t.armed = host;
    const first = await outcome(m.requestInteraction({ type: 'permission', sessionId: 's', data: {}, signal }));
    globalThis.setTimeout = realSetTimeout;
    expect(t.fired).toBe(1);
    expect(first.error.message).toBe(`${host} failed`);
    expect(requested).toEqual([]);
    expect(m.getPendingCount()).toBe(0);
    // And the next request works as ever.
    const second = m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    expect(m.resolveInteraction(requested[0], 'ok')).toEqual({ success: true });
    await expect(second).resolves.toBe('ok');
    m.shutdown();
  });
});
