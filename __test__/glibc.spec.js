// Issue 10, part 2: the linux-x64-gnu binary built here loads on glibc 2.17 and later: no
// versioned symbol it needs is newer than GLIBC_2.17 (read with objdump -T).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');

function glibcVersions(file) {
  const r = spawnSync('objdump', ['-T', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`objdump -T ${file} failed: ${r.stderr}`);
  return [...new Set([...r.stdout.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]))];
}
const newerThan217 = (versions) => versions.filter(([a, b]) => a > 2 || (a === 2 && b > 17)).map((v) => `GLIBC_${v.join('.')}`);

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
(linuxX64 ? test : test.skip)('the shipped binary needs nothing newer than GLIBC_2.17', () => {
  const versions = glibcVersions(path.join(root, 'interaction-manager.linux-x64-gnu.node'));
  expect(versions.length).toBeGreaterThan(0);
  expect(newerThan217(versions)).toEqual([]);
});

(linuxX64 ? test : test.skip)('the check fails on a binary linked against this machine\'s glibc', () => {
  // napi build's own output, before the glibc 2.17 rebuild replaced it (this machine: 2.34+).
  const host = path.join(root, 'target', 'x86_64-unknown-linux-gnu', 'release', 'libnative_interaction_manager.so');
  if (!fs.existsSync(host)) throw new Error(`${host} is missing: npm run build makes it`);
  expect(newerThan217(glibcVersions(host)).length).toBeGreaterThan(0);
});
