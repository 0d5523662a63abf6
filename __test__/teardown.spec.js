// Defect 4 of issue 9, the teardown half: what env teardown settles, and that no path drops a
// deferred unsettled. Runs against the probe addon (npm run build:probes), whose counters say
// how many deferreds were dropped unsettled (`lost`, a bug on any path) or given up at teardown
// (`abandoned`).
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { randomUUID } = require('node:crypto');

const bindingPath = path.join(__dirname, '..', 'target', 'probes', 'binding.js');
const probes = require(bindingPath);
const options = (extra = {}) => ({
  interactionTimeoutMs: 0,
  staleThresholdMs: 0,
  maxInteractionsPerSession: 100,
  maxPendingTotal: 100,
  requireSessionMatch: false,
  rateLimitMax: 0,
  rateLimitWindowMs: 0,
  maxTypes: 8,
  ...extra,
});
const counts = () => {
  const [lost, abandoned] = probes.deferredCounts();
  return { lost, abandoned };
};

describe('deferreds at every exit', () => {
  test('no path drops a deferred unsettled', async () => {
    const before = counts();
    const factory = (code, message) => Object.assign(new Error(message), { code });
    const h = probes.create(factory, options({ maxPendingTotal: 4, interactionTimeoutMs: 5 }));
    const all = [];
    const ids = [];
    const ask = (session) => {
      const id = randomUUID();
      const made = probes.request(h, id, all.length, 't', session, -1, 0, 0);
      all.push(Array.isArray(made) ? made[0] : made);
      ids.push(id);
      return id;
    };
    const code = (name) => probes.settleCodes().findIndex((c) => c.code === name);
    // The bulk endings as lib/manager.js drives them: pick, then end one at a time.
    const endEach = (slots, name, clock) => {
      for (const slot of slots) probes.end(h, ids[slot], code(name), clock);
    };
    const a = ask('s');
    probes.resolve(h, a, 'ok', undefined, 1);
    probes.reject(h, ask('s'), 'no', false, 1);
    ask('gone');
    endEach(probes.sessionSlots(h, 'gone'), 'SESSION_REMOVED', 1);
    ask('late');
    const due = probes.due(h, 100, 10);
    for (let i = 0; i < due.length; i += 2) probes.end(h, ids[due[i]], due[i + 1], 100);
    ask('x');
    ask('x');
    ask('x');
    ask('x');
    ask('refused'); // maxPendingTotal
    endEach(probes.pendingSlots(h, true), 'SHUTDOWN', 100);
    ask('after shutdown');
    const h2 = probes.create(factory, options());
    ask.call(null, 'y');
    probes.destroy(h2);
    probes.destroy(h);
    // A freed handle: the request throws, and its promise was settled before it did.
    expect(() => probes.request(h, randomUUID(), 0, 't', 's', -1, 0, 0)).toThrow(/no interaction registry/);
    const outcomes = await Promise.allSettled(all);
    // Native-made fallback errors belong to the outer realm: check the shape, not instanceof.
    expect(outcomes.every((o) => o.status === 'fulfilled' || typeof o.reason.message === 'string')).toBe(true);
    expect(counts().lost).toBe(before.lost);
    expect(before.lost).toBe(0);
  });

  test('a worker terminated with pending interactions: N-API settles none at teardown, each is given up once, none lost', async () => {
    const before = counts();
    const n = 500;
    const body = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { randomUUID } = require('node:crypto');
      const probes = require(workerData.bindingPath);
      const h = probes.create(() => new Error('x'), workerData.options);
      for (let i = 0; i < workerData.n; i++) probes.request(h, randomUUID(), i, 't', 's' + (i % 10), -1, 0, 0).catch(() => {});
      parentPort.postMessage(probes.pendingCount(h));
      setInterval(() => {}, 1000);
    `;
    const w = new Worker(body, { eval: true, workerData: { bindingPath, n, options: options({ maxPendingTotal: n, maxInteractionsPerSession: n }) } });
    const pending = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(pending).toBe(n);
    await w.terminate();
    const after = counts();
    // What teardown settles, measured: nothing. napi_reject_deferred refuses once JS cannot
    // run, before it frees anything; the registry, its strings and the factory reference are
    // freed by Rust, and each deferred is given up exactly once (its V8 handle goes with the
    // isolate).
    expect(after.abandoned - before.abandoned).toBe(n);
    expect(after.lost).toBe(before.lost);
  });
});
