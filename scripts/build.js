'use strict';
// npm run build: the release addon. napi build makes the loader (binding.js), its typings and a
// binary for this machine; on linux-x64 (glibc) the binary is then rebuilt against glibc 2.17
// with cargo-zigbuild, so it loads on every glibc from 2.17 on (Ubuntu 14.04+, RHEL 7+, Amazon
// Linux 2), as the napi-rs packages do. napi-rs's own `--use-napi-cross` was tried first: its
// toolchain unpacker needs @napi-rs/lzma, whose binary requires Node.js >= 22.20, so it fails
// on Node.js 20. zig and cargo-zigbuild come from PyPI (ziglang, cargo-zigbuild), installed once
// into target/zig-venv.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { host } = require('../lib/load.js');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const extra = process.argv.slice(2);
const run = (cmd, args, env = process.env) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run(path.join(root, 'node_modules', '.bin', 'napi'), ['build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts', ...extra]);

const { target } = host();
if (target !== 'linux-x64-gnu' || process.env.INTERACTION_MANAGER_HOST_GLIBC === '1') process.exit(0);

const venv = path.join(root, 'target', 'zig-venv');
const bin = path.join(venv, 'bin');
if (!fs.existsSync(path.join(bin, 'cargo-zigbuild'))) {
  console.log('build: installing zig and cargo-zigbuild from PyPI into target/zig-venv');
  run('python3', ['-m', 'venv', venv]);
  run(path.join(bin, 'pip'), ['install', '--quiet', 'ziglang', 'cargo-zigbuild']);
}
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
run(path.join(bin, 'cargo-zigbuild'), ['zigbuild', '--release', '--target', 'x86_64-unknown-linux-gnu.2.17', '--target-dir', path.join('target', 'glibc217')], env);
const built = path.join(root, 'target', 'glibc217', 'x86_64-unknown-linux-gnu', 'release', 'libnative_interaction_manager.so');
const shipped = path.join(root, `${pkg.napi.binaryName}.${target}.node`);
fs.copyFileSync(built, shipped);
console.log(`build: ${path.basename(shipped)} rebuilt against glibc 2.17`);
