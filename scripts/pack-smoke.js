'use strict';
// npm run test:pack: the package as users would get it from the registry, with no Rust.
// Packs the main package (no binary in it) and the linux-x64-gnu platform package (the binary
// built here, as `napi artifacts` would put it in npm/linux-x64-gnu/), installs both tarballs
// into a fresh ES-module host and a fresh CommonJS host with no cargo or rustc on PATH, and
// runs a smoke check there: request, answer, timeout, instanceof InteractionError. Also checks
// that the published file list holds no test, bench, example or build file.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const target = 'linux-x64-gnu';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nim-pack-'));
const fail = (message) => {
  console.error(`test:pack: ${message}`);
  process.exit(1);
};
function run(cmd, args, cwd, env = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} in ${cwd} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

// 1. What `npm publish` would ship: nothing from tests, benches, examples or the build.
// `files` keeps *.node so that an install from git (which packs the clone after `prepare` built
// it) carries its binary; the release workflow publishes from a checkout with no binary at the
// root, so the registry's main package has none: the same is staged here.
const listed = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root))[0].files.map((f) => f.path);
const published = listed.filter((f) => !f.endsWith('.node'));
const forbidden = published.filter((f) => /^(__test__|benchmark|examples|scripts|crates|src|target|npm|docs|\.ci|\.github)\/|^(Cargo\.(toml|lock)|build\.rs)$/.test(f));
if (forbidden.length > 0) fail(`the published package would contain: ${forbidden.join(', ')}`);
console.log(`published files: ${published.length}, none from tests, benches, examples or the build`);
const stage = path.join(work, 'main');
for (const f of published) {
  fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
  fs.copyFileSync(path.join(root, f), path.join(stage, f));
}

// 2. The two tarballs.
const binary = `${pkg.napi.binaryName}.${target}.node`;
if (!fs.existsSync(path.join(root, binary))) fail(`${binary} is missing: run npm run build first`);
const platformDir = path.join(work, 'platform');
fs.cpSync(path.join(root, 'npm', target), platformDir, { recursive: true });
fs.copyFileSync(path.join(root, binary), path.join(platformDir, binary));
const mainTgz = path.join(work, run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], stage).trim().split('\n').pop());
const platformTgz = path.join(work, run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], platformDir).trim().split('\n').pop());

// 3. Hosts without Rust: PATH holds node and npm only.
const bin = path.join(work, 'bin');
fs.mkdirSync(bin);
fs.symlinkSync(process.execPath, path.join(bin, 'node'));
// npm itself, called through node: `npm run` says where it is; else follow the npm on PATH.
const npmCli = process.env.npm_execpath || fs.realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
const env = { HOME: process.env.HOME, PATH: bin, npm_config_cache: path.join(work, 'npm-cache') };
for (const probe of ['cargo', 'rustc']) {
  if (spawnSync('sh', ['-c', `command -v ${probe}`], { env }).status === 0) fail(`${probe} is still on the smoke hosts' PATH`);
}

const smoke = (importLine) => `${importLine}
const m = new InteractionManager({ interactionTimeoutMs: 30 });
let id;
m.once('interaction-request', (i) => (id = i.id));
const answered = m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
m.resolveInteraction(id, { behavior: 'allow' });
const timedOut = m.requestInteraction({ type: 'ask-user', sessionId: 's', data: {} }).catch((e) => e);
const keep = setTimeout(() => {}, 2000);
Promise.all([answered, timedOut]).then(([a, e]) => {
  clearTimeout(keep);
  console.log(JSON.stringify({ answer: a.behavior, code: e.code, isInteractionError: e instanceof InteractionError }));
});
`;
const hosts = {
  esm: { type: 'module', file: 'main.js', code: smoke("import { InteractionManager, InteractionError } from 'native-interaction-manager';") },
  cjs: { type: 'commonjs', file: 'main.js', code: smoke("const { InteractionManager, InteractionError } = require('native-interaction-manager');") },
};
for (const [name, host] of Object.entries(hosts)) {
  const dir = path.join(work, `${name}-host`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `${name}-host`, private: true, type: host.type }));
  run(path.join(bin, 'npm'), ['install', '--no-audit', '--no-fund', '--loglevel=error', mainTgz, platformTgz], dir, env);
  fs.writeFileSync(path.join(dir, host.file), host.code);
  const out = JSON.parse(run(process.execPath, [host.file], dir, env).trim());
  if (out.answer !== 'allow' || out.code !== 'TIMEOUT' || out.isInteractionError !== true) fail(`${name} host: ${JSON.stringify(out)}`);
  console.log(`${name} host, installed from the two tarballs without Rust: request, answer, timeout, instanceof InteractionError ok`);
}
fs.rmSync(work, { recursive: true, force: true });
