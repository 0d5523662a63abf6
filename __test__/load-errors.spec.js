// Issue 10, part 5: honest load errors. Each condition is faked in a child process; the package
// must fail at require time with one message naming what was looked for, what is supported,
// and what to do, never the generic "npm has a bug related to optional dependencies".
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { host } = require('../lib/load.js');
const { runtime, runtimeEnv } = require('./support/runtimes.js');

const root = path.join(__dirname, '..');
const fake = (name) => path.join(__dirname, 'fixtures', 'fake', `${name}.cjs`);

function load(args, dir = root) {
  const script = `try { require(${JSON.stringify(dir)}); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const r = spawnSync(process.execPath, [...args, '-e', script], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return out === 'loaded' ? 'loaded' : JSON.parse(out);
}

// Node.js 20 names the permission model --experimental-permission; 22.13 and later --permission.
const allowed = process.allowedNodeEnvironmentFlags;
const permission = allowed.has('--permission') ? '--permission' : '--experimental-permission';
const { target } = host();
const binaryFile = new RegExp(`interaction-manager\\.${target}\\.node`);
const deno = runtime('deno');

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

  // Issue 17, part 6: refused by a permission model, the binary is there; the error said it was
  // missing and advised a reinstall.
  test('--no-addons: says so, and what to remove', () => {
    const e = load(['--no-addons']);
    expect(e.message).toMatch(shape);
    expect(e.message).toMatch(/cannot load: native addons are disabled by --no-addons \(the binary is installed\)/);
    expect(e.message).toMatch(/to do: run node without --no-addons/);
    expect(e.message).not.toMatch(/missing|npm install/);
  });

  test(`${permission} without --allow-addons: names the permission model and the flag to add`, () => {
    const e = load([permission, '--allow-fs-read=*']);
    expect(e.message).toMatch(shape);
    expect(e.message).toMatch(/cannot load: the Node\.js permission model \(--permission.*\) refuses native addons \(the binary is installed\)/);
    expect(e.message).toMatch(/to do: add --allow-addons/);
    expect(e.message).not.toMatch(/missing|npm install/);
  });

  // Node.js 20 takes only one --allow-fs-read, and its permission model refuses the package's
  // own files before the binary is tried.
  (allowed.has('--permission') ? test : test.skip)('--permission --allow-addons without read access to the binary: says which access to allow', () => {
    const readable = ['lib', 'index.js', 'binding.js', 'package.json'].map((f) => `--allow-fs-read=${path.join(root, f)}${f === 'lib' ? path.sep : ''}`);
    const e = load([permission, '--allow-addons', ...readable]);
    expect(e.message).toMatch(shape);
    expect(e.message).toMatch(/cannot load: the Node\.js permission model .* refuses to read the binary \(it is installed\)/);
    expect(e.message).toContain(`--allow-fs-read for ${root}`);
    expect(e.message).not.toMatch(/missing|npm install/);
  });

  describe('Deno', () => {
    if (deno.bin === null && /musl/.test(deno.why)) {
      test.skip(`without --allow-ffi (${deno.why})`, () => {});
      return;
    }
    const loadInDeno = (flags) => {
      if (deno.bin === null) throw new Error(`no deno executable: ${deno.why}`);
      const r = spawnSync(deno.bin, ['run', ...flags, path.join(__dirname, 'fixtures', 'load-report.cjs')], { encoding: 'utf8', env: runtimeEnv, timeout: 30_000 });
      const out = r.stdout.trim();
      return out === 'loaded' ? 'loaded' : out === '' ? r.stderr : JSON.parse(out);
    };

    test('with the permissions the package needs (no --allow-sys), it loads', () => {
      expect(loadInDeno(['--allow-read', '--allow-env', '--allow-ffi'])).toBe('loaded');
    });

    test('without --allow-ffi: names the refusal and the flag, and the right libc', () => {
      const e = loadInDeno(['--allow-read', '--allow-env']);
      expect(e.code).toBe('ERR_NATIVE_INTERACTION_MANAGER_LOAD');
      expect(e.message).toMatch(shape);
      expect(e.message).toMatch(/cannot load: Deno's permissions refused ffi access to .* \(the binary is installed\)/);
      expect(e.message).toMatch(binaryFile);
      expect(e.message).toMatch(/to do: run deno with --allow-ffi \(or -A\)/);
      expect(e.message).not.toMatch(/missing|npm install/);
      // Deno gives no diagnostic report without --allow-sys; that made it a musl system.
      if (process.platform === 'linux') expect(e.message).toMatch(new RegExp(`libc ${host().abi}\\b`));
    });

    test('without --allow-env: names the refused variable and the flag', () => {
      const e = loadInDeno(['--allow-read', '--allow-ffi']);
      expect(e.message).toMatch(shape);
      expect(e.message).toMatch(/cannot load: Deno's permissions refused env access to "NAPI_RS_\w+"/);
      expect(e.message).toMatch(/to do: run deno with --allow-env \(or -A\)/);
    });
  });
});
