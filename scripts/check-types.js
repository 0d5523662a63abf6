'use strict';
// npm run lint:types: the public typings under every resolution a host may use (node16 from CJS
// and ESM, nodenext, bundler), with no @types/node at all, a misspelt event name rejected with a
// message that names the events, and arethetypeswrong on the packed package.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const types = path.join(root, '__test__', 'types');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });

let failed = false;
for (const config of ['tsconfig.json', 'tsconfig.nodenext.json', 'tsconfig.bundler.json', 'tsconfig.standalone.json']) {
  const r = run(bin('tsc'), ['-p', path.join(types, config)]);
  console.log(`tsc -p __test__/types/${config}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  if (r.status !== 0) {
    failed = true;
    process.stdout.write(r.stdout + r.stderr);
  }
}
const typo = run(bin('tsc'), ['-p', path.join(types, 'tsconfig.typo.json')]);
const named = ['interaction-request', 'interaction-resolved', 'interaction-rejected'].every((e) => typo.stdout.includes(`"${e}"`));
console.log(`a misspelt event name: ${typo.status !== 0 && named ? 'rejected, naming the events' : 'FAILED'}`);
if (typo.status === 0 || !named) {
  failed = true;
  process.stdout.write(typo.stdout);
}
const attw = run(bin('attw'), ['--pack', '.', '--format', 'ascii']);
console.log(`arethetypeswrong --pack: ${attw.status === 0 ? 'no problems' : 'FAILED'}`);
if (attw.status !== 0) {
  failed = true;
  process.stdout.write(attw.stdout + attw.stderr);
}
process.exit(failed ? 1 : 0);
