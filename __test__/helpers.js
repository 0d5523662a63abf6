'use strict';
// Shared by the specs: a manager factory that shuts managers down after each test, and a
// FinalizationRegistry probe that proves objects were really collected.

const { InteractionManager } = require('..');

const made = [];
function manager(options) {
  const m = new InteractionManager(options);
  // Tests leave some promises pending for afterEach's shutdown to reject; the host always
  // awaits them. Mark each as handled, and hand back the original promise untouched.
  const request = m.requestInteraction.bind(m);
  m.requestInteraction = (req) => {
    const p = request(req);
    p.catch(() => {});
    return p;
  };
  made.push(m);
  return m;
}
afterEach(() => {
  while (made.length) made.pop().shutdown();
});

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Watches objects; `collected()` forces GC until every watched label is reported freed. */
function gcProbe() {
  if (typeof gc !== 'function') throw new Error('run Jest with node --expose-gc');
  const freed = new Set();
  const watched = new Set();
  const registry = new FinalizationRegistry((label) => freed.add(label));
  return {
    watch(obj, label) {
      watched.add(label);
      registry.register(obj, label);
      return obj;
    },
    async collected(rounds = 30) {
      for (let i = 0; i < rounds && freed.size < watched.size; i++) {
        await tick();
        gc();
        await tick();
      }
      return [...watched].filter((l) => !freed.has(l)).sort();
    },
  };
}

/** Settles to { value } or { error } so a test can inspect either. */
const outcome = (p) => p.then((value) => ({ value }), (error) => ({ error }));

/** Records every event of a manager in order. */
function recordEvents(m) {
  const events = [];
  for (const name of ['interaction-request', 'interaction-resolved', 'interaction-rejected']) {
    m.on(name, (payload) => events.push([name, payload]));
  }
  return events;
}

function silenceWarnings() {
  return jest.spyOn(console, 'warn').mockImplementation(() => {});
}

module.exports = { manager, tick, sleep, gcProbe, outcome, recordEvents, silenceWarnings };
