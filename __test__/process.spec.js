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
});
