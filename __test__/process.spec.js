const { spawnSync } = require('node:child_process');
const path = require('node:path');

function run(file) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', file)], { encoding: 'utf8', timeout: 20_000 });
  return { ...r, ms: Date.now() - started };
}

describe('process behaviour', () => {
  test('a process with pending interactions exits by itself, quickly and quietly', () => {
    const r = run('pending-then-idle.mjs');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ pending: 1000, reset: 'function' });
    expect(r.ms).toBeLessThan(10_000);
  });

  test('CommonJS require exposes the three names', () => {
    const r = run('cjs.cjs');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['function', 'function', 'function']);
  });

  test('workers holding thousands of pending interactions can be terminated, exit or shut down', () => {
    const r = run('worker-teardown.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      results: [['terminate', 5000], ['idle', 5000], ['shutdown', 0]],
      main: 'still works',
    });
  });

  test('a listener that throws during timer-driven expiry surfaces the error, and everything still settles', () => {
    const r = run('throw-in-timeout.cjs');
    expect(r.status).toBe(0);
    // A batch rethrows its first error after emitting all its events. Both throws land in one
    // batch when the first two deadlines fall in the same millisecond, in two when a loaded
    // machine spreads the 1200 requests over several: one or two uncaught errors, in order.
    const out = JSON.parse(r.stdout);
    expect({ ...out, uncaught: undefined }).toEqual({ settled: 1201, codes: ['TIMEOUT'], thrown: 2, pending: 0, uncaught: undefined });
    expect([['listener bug 1'], ['listener bug 1', 'listener bug 2']]).toContainEqual(out.uncaught);
  });

  test('process.exit() in the middle of a mass expiry exits cleanly', () => {
    const r = run('exit-during-expiry.cjs');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.seen).toBe(700);
    expect(out.pending).toBeGreaterThan(0);
  });

  test('the package loaded twice in one process: both copies work, and the process exits', () => {
    const r = run('loaded-twice.cjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ distinct: true, results: ['from a', 'SESSION_REMOVED'], pendingA: 0, pendingB: 1 });
  });
});
