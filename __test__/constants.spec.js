// Codes, messages, limits and defaults are defined once, in Rust (src/constants.rs and the core),
// and read from the binding by the JS layer: these are the values the package's contract names.
const native = require('../binding.js');
const pkg = require('..');

test('settleCodes: every ending in the core SettleCode order, with its error message', () => {
  expect(native.settleCodes()).toEqual([
    { code: 'RESOLVED', message: '' },
    { code: 'REJECTED', message: 'Interaction rejected' },
    { code: 'SESSION_REMOVED', message: 'Session removed' },
    { code: 'TIMEOUT', message: 'Interaction timed out' },
    { code: 'ABORTED', message: 'Interaction aborted' },
    { code: 'STALE', message: 'Stale interaction cleaned up' },
    { code: 'SHUTDOWN', message: 'InteractionManager shutting down' },
    { code: 'OWNER_GONE', message: 'Owner process gone' },
  ]);
});

test('the limits: names up to MAX_NAME UTF-16 units, a 30 s default grace', async () => {
  expect(native.MAX_NAME).toBe(16_384);
  expect(native.DEFAULT_GRACE_MS).toBe(30_000);
  const m = new pkg.InteractionManager({ cleanupIntervalMs: 0 });
  try {
    m.requestInteraction({ type: 'x'.repeat(native.MAX_NAME), sessionId: 's' }).catch(() => {});
    expect(m.getPendingCount()).toBe(1);
    await expect(m.requestInteraction({ type: 'x'.repeat(native.MAX_NAME + 1), sessionId: 's' })).rejects.toThrow(`type is longer than ${native.MAX_NAME} characters`);
  } finally {
    m.shutdown();
  }
});

test("DEFAULTS takes the core's defaults from the binding", () => {
  const { rateLimit, logger, ...fromCore } = pkg.DEFAULTS;
  expect(native.defaults()).toEqual(fromCore);
  expect([rateLimit, logger]).toEqual([null, null]);
});
