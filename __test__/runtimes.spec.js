// Issue 17, part 6: Deno 2 and Bun 1 run the package. The same smoke test under Node.js, Deno
// (`deno run -A`, its Node.js compatibility loads the CommonJS package and the addon) and Bun:
// an answer, a timeout, a removed session, InteractionError, a worker terminated with
// interactions pending, and a process that ends by itself with interactions pending, which must
// exit 0 and quietly. On Deno the last two aborted in the env teardown hook (SIGTRAP, exit 133:
// "Cannot create a handle without a HandleScope") while the hook still made error values to
// reject with.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runtime, runtimeEnv } = require('./support/runtimes.js');

const fixture = path.join(__dirname, 'fixtures', 'runtime-smoke.cjs');
const expected = { answer: 'yes', resolved: true, timeout: [true, 'TIMEOUT'], removed: [true, 'SESSION_REMOVED'], worker: 50, pending: 3 };

const runtimes = [
  { name: 'node', bin: process.execPath, args: [], version: /^v\d+\./ },
  { ...runtime('deno'), args: ['run', '-A'], version: /^deno 2\./ },
  { ...runtime('bun'), args: [], version: /^1\./ },
];

describe.each(runtimes)('$name', ({ name, bin, args, version: major, why }) => {
  if (bin === null && /musl/.test(why)) {
    test.skip(`smoke test (${why})`, () => {});
    return;
  }

  test('the smoke test passes and the process exits 0 by itself with interactions pending', () => {
    if (bin === null) throw new Error(`no ${name} executable: ${why}`);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8', env: runtimeEnv, timeout: 30_000 });
    expect(version.status).toBe(0);
    const r = spawnSync(bin, [...args, fixture], { encoding: 'utf8', env: runtimeEnv, timeout: 30_000 });
    // All three at once, so a failure shows how the process ended and what it said.
    expect({ runtime: version.stdout.split('\n')[0], status: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout }).toEqual({
      runtime: expect.stringMatching(major),
      status: 0,
      signal: null,
      stderr: '',
      stdout: `${JSON.stringify(expected)}\n`,
    });
  });
});
