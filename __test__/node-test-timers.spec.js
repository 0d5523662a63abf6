// Issue 17, part 2: node:test's mock.timers, with every API set it offers. A timeout fires when
// the mocked clock passes it (on the code before #17 it never did when setTimeout was faked),
// and a timer that mock.timers.reset() dropped is armed again by the next API call. Each case
// runs in its own process: node:test's mocks patch the main realm's globals, not Jest's.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const fixture = path.join(__dirname, 'fixtures', 'node-test-timers.cjs');
const sets = [['setTimeout'], ['setInterval'], ['setImmediate'], ['Date'], ['setTimeout', 'Date'], ['setInterval', 'setTimeout', 'setImmediate', 'Date']];

test.each(sets.map((apis) => [apis.join(', '), apis]))('mock.timers.enable({ apis: [%s] })', (_, apis) => {
  const out = execFileSync(process.execPath, [fixture, apis.join(',')], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] });
  expect(JSON.parse(out.trim().split('\n').pop())).toEqual({ halfway: 'pending', timedOut: 'TIMEOUT', afterReset: 'TIMEOUT' });
});
