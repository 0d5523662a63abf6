'use strict';
// A real redis-server (the distribution's package) for a spec, the cluster demo or the cluster
// bench: on a free loopback port, no persistence, stopped by its user. `stop()` and `start()` again on the same port let a spec
// take Redis away mid-run; `cli()` runs redis-cli against it. `args`: more server options (the
// fault spec allows DEBUG from loopback).

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

// A CA and a server certificate for localhost (openssl), for a TLS-only server.
function makeCertificates(dir) {
  const fs = require('node:fs');
  const path = require('node:path');
  const f = (name) => path.join(dir, name);
  const ssl = (...args) => execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=Test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('ext.cnf'));
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

async function startRedis({ password, tls, args = [] } = {}) {
  if (which('redis-server') === '') {
    throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does this)');
  }
  const port = await freePort();
  let child = null;
  const extra = password === undefined ? [] : ['--requirepass', password];
  // tls: a directory for the certificates; the server then listens with TLS only.
  const certs = tls === undefined ? null : makeCertificates(tls);
  const listen = certs === null ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no'];

  async function start() {
    child = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra, ...args], {
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
    const secure = certs === null ? [] : ['--tls', '--cacert', certs.ca];
    return execFileSync('redis-cli', ['-p', String(port), ...secure, ...auth, ...args], { encoding: 'utf8' }).trim();
  }

  /** Every key under the prefix, by SCAN. */
  function keys(prefix) {
    const out = cli('--scan', '--pattern', `${prefix}:*`);
    return out === '' ? [] : out.split('\n').sort();
  }

  await start();
  const url = certs === null ? `redis://127.0.0.1:${port}` : `rediss://localhost:${port}`;
  return { port, url, ca: certs && certs.ca, start, stop, cli, keys };
}

module.exports = { startRedis, freePort };
