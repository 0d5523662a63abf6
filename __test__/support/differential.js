'use strict';
// Differential runs: one random operation sequence against the native manager and the pure-JS
// baseline; every observable outcome is recorded with ids replaced by their creation order.
// Used by __test__/differential.spec.js (fixed seeds) and scripts/fuzz.js (long runs, shrinking).

const { randomUUID } = require('node:crypto');
const { InteractionManager } = require('../..');
const { BaselineInteractionManager } = require('../../benchmark/baseline');

// 'other' and maxTypes 2 put types past the cap into the shared row.
const TYPES = ['permission', 'plan-approval', 'ask-user', 'other'];
const SESSIONS = ['s0', 's1', 's2', null, ''];
// Timeouts are either off or SHORT, total caps CAP, graces GRACE, rate windows and the stale
// threshold WINDOW; `advance` sleeps well past all of them, so no expiry can race the operations
// between two advances, and the deadlines set between two advances are far apart.
const SHORT = 300;
const CAP = 100;
const GRACE = 180;
const WINDOW = 350;
const ADVANCE = 420;

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed, length = 40) {
  const r = prng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const int = () => Math.floor(r() * 1000);
  const ops = [];
  for (let i = 0; i < length; i++) {
    const x = r();
    if (x < 0.34) {
      ops.push({
        op: 'request',
        type: pick(TYPES),
        session: pick(SESSIONS),
        timeout: pick([undefined, 0, SHORT]),
        maxTotal: pick([undefined, undefined, 0, CAP]),
        signal: pick(['none', 'none', 'live', 'shared', 'aborted']),
      });
    } else if (x < 0.38) {
      ops.push({ op: 'touch', target: int(), id: pick(['valid', 'valid', 'unknown']) });
    } else if (x < 0.41) {
      ops.push({ op: pick(['detach', 'attach']), session: pick(SESSIONS) });
    } else if (x < 0.43) {
      ops.push({ op: 'sweep' });
    } else if (x < 0.52) {
      ops.push({ op: 'resolve', target: int(), id: pick(['valid', 'valid', 'valid', 'unknown', 'foreign', 'garbage']), asker: pick([undefined, undefined, 's0', 's1', null, '', 42]) });
    } else if (x < 0.62) {
      ops.push({ op: 'reject', target: int(), id: pick(['valid', 'valid', 'unknown']), reason: pick([undefined, 'denied', 7]) });
    } else if (x < 0.68) {
      ops.push({ op: 'removeSession', session: pick(SESSIONS) });
    } else if (x < 0.76) {
      ops.push({ op: 'list', sessions: [pick(SESSIONS), pick(SESSIONS)], type: pick([null, null, ...TYPES]) });
    } else if (x < 0.82) {
      ops.push({ op: 'stats' });
    } else if (x < 0.9) {
      ops.push({ op: 'abort', target: int() });
    } else if (x < 0.95) {
      ops.push({ op: 'advance' });
    } else if (x < 0.97) {
      ops.push({ op: 'shutdown' });
    } else {
      ops.push({ op: 'stats' });
    }
  }
  const options = {
    maxInteractionsPerSession: 3,
    maxPendingTotal: 8,
    interactionTimeoutMs: 0,
    cleanupIntervalMs: 0,
    staleThresholdMs: WINDOW,
    requireSessionMatch: seed % 3 === 0,
    maxTypes: 2,
    rateLimit: seed % 2 === 0 ? { max: 3, windowMs: WINDOW } : null,
    reentrant: seed % 4 === 1,
    throwing: seed % 5 === 3,
  };
  return { seed, options, ops };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
// Timestamps differ between runs; their presence and type are what must match.
const timeless = (result) => (result.settledAt === undefined ? result : { ...result, settledAt: typeof result.settledAt });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const GARBAGE = [42, null, {}, 'x'.repeat(40), undefined];

async function run(Impl, { options, ops }) {
  const { reentrant, throwing: throwingSeed, ...managerOptions } = options;
  // Host code that throws (issue 17, part 1), on the native side only: a listener of endings and
  // a logger that throw now and then during an API call. The baseline's run, where nothing
  // throws, is the oracle: no event, settlement or freeing may be lost to a throw. Only during
  // calls: the throws of a timer-driven ending would be uncaught exceptions.
  const throwing = throwingSeed && Impl === InteractionManager;
  let depth = 0;
  let nested = false;
  let logLines = 0;
  if (throwing) {
    managerOptions.logger = {
      debug: (what) => {
        if (depth > 0 && !nested && (what === 'resolved' || what === 'rejected') && ++logLines % 3 === 0) throw new Error('host logger');
      },
      warn() {},
      error() {},
    };
  }
  const m = new Impl(managerOptions);
  const index = new Map(); // id -> creation order
  const ids = [];
  const controllers = [];
  const shared = new AbortController();
  const trace = [];
  const at = (id) => (index.has(id) ? index.get(id) : null);
  m.on('interaction-request', (i) => {
    index.set(i.id, ids.length);
    ids.push(i.id);
    trace.push(['event:request', at(i.id), i.type, i.sessionId, i.data, i.metadata.n]);
  });
  m.on('interaction-resolved', (e) => trace.push(['event:resolved', at(e.interactionId), e.sessionId]));
  m.on('interaction-rejected', (e) => trace.push(['event:rejected', at(e.interactionId), e.sessionId, e.reason, e.code]));
  // A listener that looks and calls back during an ending (issue 17, part 5): what it sees still
  // pending (counted, listed) must be what the baseline shows, and an answer to a sibling it
  // sends from there must land as it does there.
  if (reentrant) {
    m.on('interaction-rejected', (e) => {
      if (typeof e.sessionId !== 'string') return;
      const siblings = m.getPendingInteractions([e.sessionId]);
      trace.push(['during', m.getPendingCount(), siblings.map((i) => at(i.id))]);
      if (siblings.length > 0) {
        nested = true;
        try {
          trace.push(['during:resolve', timeless(m.resolveInteraction(siblings[siblings.length - 1].id, 'from a listener'))]);
        } finally {
          nested = false;
        }
      }
    });
  }
  if (throwing) {
    const thrower = (e) => {
      if (depth > 0 && !nested && at(e.interactionId) % 2 === 1) throw new Error('host listener');
    };
    m.on('interaction-resolved', thrower);
    m.on('interaction-rejected', thrower);
  }
  // An API call of operation `k`: what it returns is traced as `[name, k, result]`; what host
  // code made it throw as `['threw', k, message]` (compare drops both for the ops that threw).
  const call = (name, k, fn, traced = true) => {
    depth++;
    try {
      const result = fn();
      if (traced) trace.push([name, k, result]);
    } catch (err) {
      trace.push(['threw', k, err.message]);
    } finally {
      depth--;
    }
  };
  const idFor = (op) => {
    if (op.id === 'valid' && ids.length) return ids[op.target % ids.length];
    if (op.id === 'foreign') return randomUUID();
    if (op.id === 'garbage') return GARBAGE[op.target % GARBAGE.length];
    return '00000000-0000-4000-8000-000000000000';
  };
  let requests = 0;
  for (const [k, op] of ops.entries()) {
    switch (op.op) {
      case 'request': {
        const n = requests++;
        const ac = new AbortController();
        if (op.signal === 'aborted') ac.abort();
        controllers.push(ac);
        const request = { type: op.type, sessionId: op.session, data: { n }, metadata: { n } };
        if (op.timeout !== undefined) request.timeoutMs = op.timeout;
        if (op.maxTotal !== undefined) request.maxTotalMs = op.maxTotal;
        if (op.signal === 'shared') request.signal = shared.signal;
        else if (op.signal !== 'none') request.signal = ac.signal;
        m.requestInteraction(request).then(
          (v) => trace.push(['settled', n, 'resolved', v]),
          // Retry delays depend on timing: their presence is what must match.
          (e) => trace.push(['settled', n, 'rejected', e.code, e.message.replace(/\d+ ms$/, 'N ms'), e.interactionId === undefined ? null : at(e.interactionId), e instanceof Error, typeof e.retryAfterMs]),
        );
        break;
      }
      case 'touch':
        // In a later millisecond than the requests before it: whether a restarted deadline ties
        // with another is then the same for both implementations (they run interleaved).
        await sleep(2);
        call('touch', k, () => timeless(m.touchInteraction(idFor(op))));
        break;
      case 'detach':
        call('detach', k, () => m.detachSession(op.session, { graceMs: GRACE }), false);
        break;
      case 'attach':
        call('attach', k, () => m.attachSession(op.session));
        break;
      case 'sweep':
        call('sweep', k, () => m.cleanupStaleInteractions(), false);
        break;
      case 'resolve':
        call('resolve', k, () => timeless(m.resolveInteraction(idFor(op), { answer: op.target }, op.asker)));
        break;
      case 'reject':
        call('reject', k, () => timeless(m.rejectInteraction(idFor(op), op.reason)));
        break;
      case 'removeSession':
        call('removeSession', k, () => m.removeSession(op.session), false);
        break;
      case 'list':
        trace.push(['list', m.getPendingInteractions(op.sessions, op.type).map((i) => [at(i.id), i.type, i.sessionId, i.data])]);
        break;
      case 'stats':
        trace.push(['stats', m.getStatistics()]);
        break;
      case 'abort':
        if (op.target % 4 === 0) shared.abort();
        else if (controllers.length) controllers[op.target % controllers.length].abort();
        break;
      case 'advance':
        await sleep(ADVANCE);
        break;
      case 'shutdown':
        call('shutdown', k, () => m.shutdown(), false);
        break;
      default:
        throw new Error(`unknown op ${op.op}`);
    }
    await tick();
    trace.push(['pending', m.getPendingCount()]);
  }
  m.shutdown();
  await tick();
  return trace;
}

/** Runs both; returns null when every outcome matches, else the first difference. */
async function compare(scenario) {
  const quiet = console.warn;
  console.warn = () => {};
  try {
    const traces = await Promise.all([run(InteractionManager, scenario), run(BaselineInteractionManager, scenario)]);
    // Settlements form their own ordered stream: a batch of timeouts emits its events before
    // the promise reactions run, while one timer per interaction interleaves them.
    // The ops whose call host code made throw (native only): their results are not to be had.
    // Any other error thrown is a difference in itself.
    const threw = new Set(traces[0].filter((e) => e[0] === 'threw' && /^host (listener|logger)$/.test(e[2])).map((e) => e[1]));
    const returned = new Set(['touch', 'attach', 'resolve', 'reject']);
    const kept = traces.map((t) => t.filter((e) => !((e[0] === 'threw' || returned.has(e[0])) && threw.has(e[1]))));
    const [native, baseline] = kept.map((t) => [...t.filter((e) => e[0] !== 'settled'), ['settlements:'], ...t.filter((e) => e[0] === 'settled')]);
    const a = JSON.stringify(native);
    const b = JSON.stringify(baseline);
    if (a === b) return null;
    let i = 0;
    while (i < Math.min(native.length, baseline.length) && JSON.stringify(native[i]) === JSON.stringify(baseline[i])) i++;
    return { step: i, native: native.slice(Math.max(0, i - 3), i + 3), baseline: baseline.slice(Math.max(0, i - 3), i + 3) };
  } finally {
    console.warn = quiet;
  }
}

/** Greedy shrinking: drop chunks, then single operations, while the difference remains. */
async function shrink(scenario) {
  let ops = scenario.ops;
  for (let size = Math.ceil(ops.length / 2); size >= 1; size = Math.floor(size / 2)) {
    for (let i = 0; i + size <= ops.length; ) {
      const candidate = { ...scenario, ops: [...ops.slice(0, i), ...ops.slice(i + size)] };
      if (await compare(candidate)) ops = candidate.ops;
      else i += size;
    }
  }
  return { ...scenario, ops };
}

module.exports = { generate, run, compare, shrink };
