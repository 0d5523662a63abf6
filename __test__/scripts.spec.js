// The scripts that call the binding directly (npm run bench:timers, benchmark/crossing-floor.js)
// build its options the same way the package does: a shape the binding refuses fails here, not
// halfway through a benchmark (issue 9, defect 11).
const native = require('../binding.js');
const registryOptions = require('../benchmark/registry-options');

test('benchmark/registry-options.js makes options the binding accepts', () => {
  const handle = native.create(() => new Error('x'), registryOptions({ interactionTimeoutMs: 0, staleThresholdMs: 0 }));
  expect(native.pendingCount(handle)).toBe(0);
  native.destroy(handle);
  expect(() => native.create(() => new Error('x'), { interactionTimeoutMs: 0 })).toThrow(/Missing field/);
});
