// Issue 11, part 5: every command the README names exists, so a reader who copies one gets what
// it says.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
// The README and the docs it links to, read as one text.
const docs = [readme, ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => fs.readFileSync(path.join(root, 'docs', f), 'utf8'))].join('\n');
const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

test('every `npm run X` in the README and docs/ is a package.json script', () => {
  const named = [...docs.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(10);
  const missing = [...new Set(named)].filter((name) => !(name in scripts));
  expect(missing).toEqual([]);
});

test('every file the README and docs/ point to exists', () => {
  const paths = [...docs.matchAll(/`((?:__test__|benchmark|scripts|examples|crates|src|lib|docs)\/[\w./-]+\.(?:js|mjs|cjs|rs|ts|md|svg))`/g)].map((m) => m[1]);
  expect(paths.length).toBeGreaterThan(10);
  const missing = [...new Set(paths)].filter((p) => !fs.existsSync(path.join(root, p)));
  expect(missing).toEqual([]);
});

test('every docs/ link of the README exists, and the README stays short', () => {
  const links = [...readme.matchAll(/\]\((docs\/[\w.-]+\.md)(?:#[\w-]+)?\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(5);
  expect(links.filter((p) => !fs.existsSync(path.join(root, p)))).toEqual([]);
  expect(readme.split('\n').length).toBeLessThanOrEqual(260);
});

test('the quick start is two commands, and `npm test` is what CI runs', () => {
  const quick = readme.split('## Quick start')[1].split('```sh')[1].split('```')[0].trim().split('\n');
  expect(quick).toHaveLength(2);
  expect(quick[0]).toMatch(/^npm ci && npm run demo\b/);
  expect(quick[1]).toMatch(/^npm ci && npm test\b/);
  expect(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
});
