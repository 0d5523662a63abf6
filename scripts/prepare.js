'use strict';
// npm's `prepare` (run by `npm install github:owner/repo`, a git+file: URL or a folder): builds
// the addon from source when no binary for this machine is present. Without a Rust toolchain it
// stops with one message that says what is missing and how to get it.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { host } = require('../lib/load.js');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const { target } = host();
const binary = path.join(root, `${pkg.napi.binaryName}.${target}.node`);

function hasPlatformPackage() {
  try {
    require.resolve(`${pkg.name}-${target}`, { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

if (fs.existsSync(binary) || hasPlatformPackage()) process.exit(0);

const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
if (cargo.error || cargo.status !== 0) {
  console.error(
    [
      `${pkg.name}: no prebuilt binary for ${target}, and no Rust toolchain to build one.`,
      `  missing: cargo (the Rust toolchain), needed to build ${path.basename(binary)} from source`,
      '  get it: https://rustup.rs (curl --proto =https --tlsv1.2 -sSf https://sh.rustup.rs | sh), then install again',
      `  or: install a published release, whose platform package ${pkg.name}-${target} needs no Rust`,
    ].join('\n'),
  );
  process.exit(1);
}
console.log(`${pkg.name}: building ${path.basename(binary)} from source (${cargo.stdout.trim()})`);
const napi = path.join(root, 'node_modules', '.bin', 'napi');
const r = spawnSync(napi, ['build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
