// Issue 10, part 1: the napi-rs distribution layout. Every target in napi.targets has its
// platform package in npm/<platform>/ (napi create-npm-dirs), named and constrained so npm
// installs only the one that fits; publishing goes through napi prepublish.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const PLATFORMS = {
  'x86_64-unknown-linux-gnu': ['linux-x64-gnu', 'linux', 'x64', 'glibc'],
  'aarch64-unknown-linux-gnu': ['linux-arm64-gnu', 'linux', 'arm64', 'glibc'],
  'x86_64-unknown-linux-musl': ['linux-x64-musl', 'linux', 'x64', 'musl'],
  'aarch64-unknown-linux-musl': ['linux-arm64-musl', 'linux', 'arm64', 'musl'],
  'x86_64-apple-darwin': ['darwin-x64', 'darwin', 'x64'],
  'aarch64-apple-darwin': ['darwin-arm64', 'darwin', 'arm64'],
  'x86_64-pc-windows-msvc': ['win32-x64-msvc', 'win32', 'x64'],
  'aarch64-pc-windows-msvc': ['win32-arm64-msvc', 'win32', 'arm64'],
};

test('the usual eight targets, each with its platform package', () => {
  expect([...pkg.napi.targets].sort()).toEqual(Object.keys(PLATFORMS).sort());
  for (const target of pkg.napi.targets) {
    const [dir, os, cpu, libc] = PLATFORMS[target];
    const sub = JSON.parse(fs.readFileSync(path.join(root, 'npm', dir, 'package.json'), 'utf8'));
    expect(sub.name).toBe(`${pkg.name}-${dir}`);
    expect(sub.version).toBe(pkg.version);
    expect(sub.os).toEqual([os]);
    expect(sub.cpu).toEqual([cpu]);
    if (libc) expect(sub.libc).toEqual([libc]);
    expect(sub.main).toBe(`${pkg.napi.binaryName}.${dir}.node`);
  }
});

test('publishing: napi artifacts and napi prepublish, as in the napi-rs package template', () => {
  expect(pkg.scripts.artifacts).toBe('napi artifacts');
  expect(pkg.scripts.prepublishOnly).toBe('napi prepublish -t npm --no-gh-release');
  expect(fs.existsSync(path.join(root, '.github', 'workflows', 'release.yml'))).toBe(true);
});
