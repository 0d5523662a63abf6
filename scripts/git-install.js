'use strict';
// npm run test:git-install: `npm install git+file://<this repository>` into a fresh host, as a
// user installs from GitHub: npm clones the committed tree, installs its dev dependencies, runs
// `prepare` (scripts/prepare.js), which builds the addon because a clone has no binary, and the
// host then loads and uses it. CARGO_TARGET_DIR points at this checkout's target/ so the
// dependencies compiled already are reused.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nim-git-'));
const fail = (message) => {
  console.error(`test:git-install: ${message}`);
  process.exit(1);
};
const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
if (!head) fail('not a git checkout');
fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'git-host', private: true, type: 'module' }));
const env = { ...process.env, CARGO_TARGET_DIR: path.join(root, 'target', 'git-install') };
const url = `git+${pathToFileURL(root).href}#${head}`;
const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', url], { cwd: work, env, encoding: 'utf8' });
if (r.status !== 0) fail(`npm install ${url} failed:\n${r.stdout}${r.stderr}`);
fs.writeFileSync(
  path.join(work, 'main.js'),
  `import { getInteractionManager } from 'native-interaction-manager';
const m = getInteractionManager();
let id;
m.once('interaction-request', (i) => (id = i.id));
const p = m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
m.resolveInteraction(id, 'built from git');
console.log(await p);
m.shutdown();
`,
);
const out = spawnSync(process.execPath, ['main.js'], { cwd: work, encoding: 'utf8' });
if (out.stdout.trim() !== 'built from git') fail(`the host could not use it:\n${out.stdout}${out.stderr}`);
console.log(`npm install git+file:// at ${head.slice(0, 8)}: prepare built the addon from source, and the host uses it`);
fs.rmSync(work, { recursive: true, force: true });
