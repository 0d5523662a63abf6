// Issue 10, part 4: an install from git (or a folder) runs `prepare`, which builds when no
// binary is present and, without a Rust toolchain, stops with one clear message.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');

function copyWithoutBinary() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nim-prepare-'));
  for (const f of ['package.json', 'binding.js']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
  for (const d of ['lib', 'scripts']) fs.cpSync(path.join(root, d), path.join(dir, d), { recursive: true });
  return dir;
}

test('with the binary present, prepare does nothing', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'prepare.js')], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout + r.stderr).toBe('');
});

test('without a binary and without cargo on PATH, prepare stops with one clear message', () => {
  const dir = copyWithoutBinary();
  try {
    // PATH with node only: no cargo, no rustc.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'nim-path-'));
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'prepare.js')], { encoding: 'utf8', env: { PATH: bin } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^native-interaction-manager: no prebuilt binary for linux-x64-gnu, and no Rust toolchain to build one\.\n {2}missing: cargo/);
    expect(r.stderr).toMatch(/https:\/\/rustup\.rs/);
    fs.rmSync(bin, { recursive: true, force: true });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
