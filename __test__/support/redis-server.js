'use strict';
// A real redis-server (the distribution's package) for one spec: on a free loopback port, no
// persistence, stopped by the spec. `stop()` and `start()` again on the same port let a spec
// take Redis away mid-run; `cli()` runs redis-cli against it.

const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function startRedis({ password } = {}) {
  if (which('redis-server') === '') {
    throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does this)');
  }
  const port = await freePort();
  let child = null;
  const extra = password === undefined ? [] : ['--requirepass', password];

  async function start() {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}: ${out}`)), 15_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${out}`));
      });
    });
    child.removeAllListeners('exit');
  }

  async function stop() {
    if (child === null) return;
    const c = child;
    child = null;
    if (c.exitCode !== null) return;
    await new Promise((resolve) => {
      c.on('exit', resolve);
      c.kill('SIGKILL');
    });
  }

  function cli(...args) {
    const auth = password === undefined ? [] : ['--no-auth-warning', '-a', password];
    return execFileSync('redis-cli', ['-p', String(port), ...auth, ...args], { encoding: 'utf8' }).trim();
  }

  /** Every key under the prefix, by SCAN. */
  function keys(prefix) {
    const out = cli('--scan', '--pattern', `${prefix}:*`);
    return out === '' ? [] : out.split('\n').sort();
  }

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop, cli, keys };
}

module.exports = { startRedis, freePort };
