'use strict';
// Where the Deno and Bun executables are: the platform packages that the devDependencies `deno`
// and `bun` pull in as optional dependencies, or bun's launcher once its postinstall has put the
// binary there (a launcher that is still the stub is not used: an install with --ignore-scripts).
const path = require('node:path');
const fs = require('node:fs');
const { host } = require('../../lib/load.js');

const root = path.join(__dirname, '..', '..');
const exe = process.platform === 'win32' ? '.exe' : '';

function fromPackage(name, file) {
  try {
    const found = path.join(path.dirname(require.resolve(`${name}/package.json`, { paths: [root] })), file);
    return fs.existsSync(found) ? found : null;
  } catch {
    return null;
  }
}

/** `{ name, bin, why }`: `bin` is the executable, or null, and `why` then says why there is none
 * (a platform the npm packages do not cover is skipped; a missing install on one they cover is
 * a failure the spec reports). */
function runtime(name) {
  const { platform, arch, abi } = host();
  if (name === 'deno') {
    // @deno/* has no musl build (Alpine runs Deno from its own package).
    if (abi === 'musl') return { name, bin: null, why: 'no Deno build for musl on npm' };
    const pkg = `@deno/${platform}-${arch}${platform === 'linux' ? '-glibc' : ''}`;
    return { name, bin: fromPackage(pkg, `deno${exe}`), pkg, why: `${pkg} is not installed (npm ci)` };
  }
  const os = platform === 'win32' ? 'windows' : platform;
  const pkg = `@oven/bun-${os}-${arch === 'arm64' ? 'aarch64' : arch}${abi === 'musl' ? '-musl' : ''}`;
  // With scripts allowed, bun's postinstall moves the binary out of the platform package onto
  // its own launcher stub (bun/bin/bun.exe on every platform), leaving the package's bin empty.
  const moved = fromPackage('bun', path.join('bin', 'bun.exe'));
  const bin = fromPackage(pkg, path.join('bin', `bun${exe}`)) ?? (moved && fs.statSync(moved).size > 1 << 20 ? moved : null);
  // npm installs the musl package only when it runs on musl; CI's Alpine job reuses the glibc
  // host's node_modules.
  if (bin === null && abi === 'musl') return { name, bin, why: `${pkg} is not installed (npm ran on glibc)` };
  return { name, bin, pkg, why: `${pkg} is not installed (npm ci)` };
}

/** The environment the runtimes run in: no update check (Deno asks GitHub otherwise), no
 * colours in what the tests read. */
const runtimeEnv = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' };

module.exports = { runtime, runtimeEnv };
