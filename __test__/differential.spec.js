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
