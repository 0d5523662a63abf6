// Issue 10, part 5: honest load errors. Each condition is faked in a child process; the package
// must fail at require time with one message naming what was looked for, what is supported,
// and what to do, never the generic "npm has a bug related to optional dependencies".
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const fake = (name) => path.join(__dirname, 'fixtures', 'fake', `${name}.cjs`);

function load(args, dir = root) {
  const script = `try { require(${JSON.stringify(dir)}); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const r = spawnSync(process.execPath, [...args, '-e', script], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return out === 'loaded' ? 'loaded' : JSON.parse(out);
}

const shape = /^native-interaction-manager cannot load: .+\n {2}looked for: platform \S+, arch \S+.*Node\.js \S+ \(N-API \S+\)\n {2}supported: .*linux-x64-gnu.*; Node\.js >= 20 \(N-API >= 8\)\n {2}to do: .+$/;

describe('load errors', () => {
  test('the real thing loads', () => {
    expect(load([])).toBe('loaded');
  });

  test('a too-old Node.js', () => {
    const e = load(['-r', fake('old-node')]);
    expect(e.code).toBe('ERR_NATIVE_INTERACTION_MANAGER_LOAD');
    expect(e.message).toMatch(shape);
    expect(e.message).toMatch(/Node\.js 18\.19\.0 is too old/);
    expect(e.message).toMatch(/to do: upgrade Node\.js to 20/);
  });

  test('a runtime without an API the package calls fails at load, not at the first request', () => {
    const e = load(['-r', fake('no-iswellformed')]);
    expect(e.message).toMatch(shape);
    expect(e.message).toMatch(/lacks String\.prototype\.isWellFormed/);
  });

  test('an unsupported platform', () => {
    const e = load(['-r', fake('freebsd')]);
    expect(e.message).toMatch(shape);
    expect(e.message).toMatch(/no binary is built for freebsd-riscv64/);
    expect(e.message).toMatch(/build from source/);
    expect(e.message).not.toMatch(/npm has a bug/);
  });

  test('a too-old glibc', () => {
    const e = load(['-r', fake('old-glibc')]);
    expect(e.message).toMatch(shape);
    expect(e.message).toMatch(/needs glibc 2\.34 or later, and this system has 2\.17/);
  });

  test('a missing platform package (an install that skipped optional dependencies)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nim-missing-'));
    try {
      for (const f of ['index.js', 'binding.js', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
      fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
      const e = load([], dir);
      expect(e.message).toMatch(shape);
      expect(e.message).toMatch(/the binary for linux-x64-gnu is missing \(neither .*interaction-manager\.linux-x64-gnu\.node nor the package native-interaction-manager-linux-x64-gnu is installed\)/);
      expect(e.message).toMatch(/npm install native-interaction-manager-linux-x64-gnu/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
