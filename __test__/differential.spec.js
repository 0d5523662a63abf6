// The native manager and the pure-JS baseline (benchmark/baseline.js) must agree on every
// observable outcome of the same random operation sequence: return values, events in order with
// their payloads, and how and with what every Promise settles.
const { generate, compare } = require('./support/differential');

const SEEDS = Array.from({ length: 24 }, (_, i) => 1000 + i);

describe('differential: native vs pure-JS baseline', () => {
  test.each(SEEDS)('seed %i', async (seed) => {
    const diff = await compare(generate(seed));
    expect(diff).toBeNull();
  });

  // Found by `npm run fuzz` (seed 90237, shrunk): an abort of a shared signal ended both of its
  // interactions before the first one's listeners ran.
  test('a reentrant listener during the abort of a shared signal sees what the baseline shows', async () => {
    const scenario = {
      seed: 90237,
      options: { interactionTimeoutMs: 0, cleanupIntervalMs: 0, reentrant: true },
      ops: [
        { op: 'request', type: 'permission', session: 's1', timeout: 0, signal: 'shared' },
        { op: 'request', type: 'ask-user', session: 's1', timeout: 0, signal: 'shared' },
        { op: 'abort', target: 568 },
      ],
    };
    expect(await compare(scenario)).toBeNull();
  });

  test('the comparison can fail: a baseline with a changed message is caught', async () => {
    const { BaselineInteractionManager } = require('../benchmark/baseline');
    const original = BaselineInteractionManager.prototype.removeSession;
    BaselineInteractionManager.prototype.removeSession = function (sessionId) {
      for (const id of [...(this.bySession.get(sessionId) ?? [])]) this.settle(id, 'SESSION_REMOVED', 'Session gone');
    };
    try {
      const scenario = {
        seed: 0,
        options: { interactionTimeoutMs: 0, cleanupIntervalMs: 0 },
        ops: [{ op: 'request', type: 'permission', session: 's0', signal: 'none' }, { op: 'removeSession', session: 's0' }],
      };
      expect(await compare(scenario)).not.toBeNull();
    } finally {
      BaselineInteractionManager.prototype.removeSession = original;
    }
  });
});
