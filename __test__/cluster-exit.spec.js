'use strict';
// 6. The cluster machinery never keeps a process alive: not after close(), and not without it
// once the host's own handles are gone (as single-process mode). Also connect's errors.

const { spawn } = require('node:child_process');
const path = require('node:path');
const { startRedis, freePort } = require('../scripts/redis-server.js');
const { ClusterInteractionManager, InteractionError } = require('..');

const FIXTURE = path.join(__dirname, 'fixtures', 'cluster-exit.cjs');
let redis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

// Runs the fixture; resolves with its output and how long it lived after printing "idle".
function run(mode, url = redis.url) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, url, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let idleAt = null;
    // A process that hangs is the failure this spec looks for: kill it and say so.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (idleAt === null && out.includes('idle')) idleAt = Date.now();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, out, lingered: idleAt === null ? null : Date.now() - idleAt });
    });
  });
}

test('after close(): the promise is settled (SHUTDOWN), the records are gone and the process exits at once', async () => {
  const r = await run('close');
  expect(r).toMatchObject({ code: 0, signal: null });
  expect(r.out).toMatch(/settled SHUTDOWN/);
  // Measured about 50 ms; 5 s leaves room for a loaded machine, and a held loop never exits.
  expect(r.lingered).toBeLessThan(5000);
  // Only the events stream, which expires when idle.
  expect(redis.keys('exit-close')).toEqual(['exit-close:events']);
  expect(Number(redis.cli('PTTL', 'exit-close:events'))).toBeGreaterThan(0);
});

test('without close(): the process exits once its own handles are gone, and the others reap its records', async () => {
  const r = await run('idle');
  expect(r).toMatchObject({ code: 0, signal: null });
  expect(r.out).not.toMatch(/settled/);
  expect(r.lingered).toBeLessThan(5000);
  // Its liveness key expires after ownerTimeoutMs (500 ms); then a live process reaps its record.
  expect(Number(redis.cli('PTTL', 'exit-idle:node:idle'))).toBeLessThanOrEqual(500);
  expect(redis.keys('exit-idle').some((k) => k.startsWith('exit-idle:rec:'))).toBe(true);
  const im = await ClusterInteractionManager.connect({ redisUrl: redis.url, prefix: 'exit-idle', heartbeatMs: 100, ownerTimeoutMs: 500 });
  try {
    const gone = new Promise((resolve) => im.on('interaction-rejected', resolve));
    await expect(gone).resolves.toMatchObject({ code: 'OWNER_GONE', sessionId: 's' });
    expect(redis.keys('exit-idle').filter((k) => !k.startsWith('exit-idle:node:') && k !== 'exit-idle:events' && k !== 'exit-idle:gone')).toEqual([]);
  } finally {
    await im.close();
  }
});

test('an unreachable Redis: connect rejects with REDIS_UNAVAILABLE and holds nothing open', async () => {
  const r = await run('unreachable');
  expect(r.out).toMatch(/connect REDIS_UNAVAILABLE/);
  expect(r).toMatchObject({ code: 0, signal: null });
  expect(r.lingered).toBeLessThan(5000);
});

test('connect checks its options before connecting', async () => {
  const connect = (o) => ClusterInteractionManager.connect({ redisUrl: redis.url, ...o });
  await expect(connect({ redisUrl: 'http://localhost' })).rejects.toThrow(/redis:\/\/ or rediss:\/\//);
  await expect(connect({ redisUrl: undefined })).rejects.toThrow(TypeError);
  await expect(connect({ redisUrl: 'redis://127.0.0.1:notaport' })).rejects.toThrow(/redisUrl/);
  await expect(connect({ redisUrl: 'redis://127.0.0.1:notaport' })).rejects.toThrow(TypeError);
  await expect(connect({ prefix: '' })).rejects.toThrow(/prefix/);
  await expect(connect({ instanceId: 'a:b' })).rejects.toThrow(/instanceId/);
  await expect(connect({ heartbeatMs: 0 })).rejects.toThrow(/heartbeatMs/);
  await expect(connect({ heartbeatMs: 1000, ownerTimeoutMs: 1000 })).rejects.toThrow(/longer than heartbeatMs/);
  await expect(connect({ interactionTimeoutMs: -1 })).rejects.toThrow(/interactionTimeoutMs/);
  expect(() => new ClusterInteractionManager()).toThrow(/connect/);
  const port = await freePort();
  const err = await connect({ redisUrl: `redis://127.0.0.1:${port}` }).catch((e) => e);
  expect(err).toBeInstanceOf(InteractionError);
  expect(err.code).toBe('REDIS_UNAVAILABLE');
});

test('a password and an ACL user in the URL', async () => {
  const secured = await startRedis({ password: 'topsecret' });
  try {
    secured.cli('ACL', 'SETUSER', 'app', 'on', '>app-pass', '~*', '&*', '+@all');
    const port = secured.port;
    for (const url of [`redis://:topsecret@127.0.0.1:${port}`, `redis://app:app-pass@127.0.0.1:${port}`]) {
      const im = await ClusterInteractionManager.connect({ redisUrl: url, prefix: 'auth' });
      const p = im.requestInteraction({ type: 't', sessionId: 's' });
      expect((await im.getPendingInteractions(['s'])).length).toBe(1);
      await im.close();
      await expect(p).rejects.toMatchObject({ code: 'SHUTDOWN' });
    }
    const wrong = await ClusterInteractionManager.connect({ redisUrl: `redis://app:wrong@127.0.0.1:${port}`, prefix: 'auth' }).catch((e) => e);
    expect(wrong.code).toBe('REDIS_UNAVAILABLE');
    expect(wrong.message).toMatch(/auth|password|WRONGPASS/i);
  } finally {
    await secured.stop();
  }
});

test('rediss:// (TLS): checked against the given CA; an unknown issuer is refused', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tls-'));
  const secured = await startRedis({ tls: dir, password: 'tls-pass' });
  try {
    const url = secured.url.replace('rediss://', 'rediss://:tls-pass@');
    const im = await ClusterInteractionManager.connect({ redisUrl: url, prefix: 'tls', tls: { ca: fs.readFileSync(secured.ca, 'utf8') } });
    const p = im.requestInteraction({ type: 't', sessionId: 's', data: { over: 'tls' } });
    expect(await im.getPendingInteractions(['s'])).toEqual([expect.objectContaining({ data: { over: 'tls' } })]);
    expect(secured.keys('tls').some((k) => k.startsWith('tls:rec:'))).toBe(true);
    await im.close();
    await expect(p).rejects.toMatchObject({ code: 'SHUTDOWN' });
    // Without the CA the system's store does not know the issuer.
    const refused = await ClusterInteractionManager.connect({ redisUrl: url, prefix: 'tls' }).catch((e) => e);
    expect(refused.code).toBe('REDIS_UNAVAILABLE');
    expect(refused.message).toMatch(/certificate/i);
    await expect(ClusterInteractionManager.connect({ redisUrl: redis.url, tls: { ca: 'x' } })).rejects.toThrow(/rediss:\/\//);
    await expect(ClusterInteractionManager.connect({ redisUrl: url, tls: {} })).rejects.toThrow(/tls must be/);
  } finally {
    await secured.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('interaction_manager_redis_up in prom-client\'s registry follows Redis going away and coming back', async () => {
  const client = require('prom-client');
  const { registerMetrics } = require('../prom-client.js');
  const own = await startRedis();
  const warnings = [];
  const logger = { debug() {}, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) };
  const im = await ClusterInteractionManager.connect({ redisUrl: own.url, prefix: 'metrics', heartbeatMs: 100, ownerTimeoutMs: 500, logger });
  try {
    const registry = new client.Registry();
    registerMetrics(registry, { manager: im, labels: { instance: im.instanceId } });
    const up = async () => /^interaction_manager_redis_up\{instance="[^"]+"\} (\d)$/m.exec(await registry.metrics())[1];
    expect(await up()).toBe('1');
    expect(im.getMetrics()).toMatch(/^interaction_manager_redis_up 1$/m);
    await own.stop();
    const end = Date.now() + 5000;
    while ((await up()) !== '0' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await up()).toBe('0');
    expect(im.getMetricsSnapshot().redisUp).toBe(0);
    await own.start();
    while ((await up()) !== '1' && Date.now() < end + 5000) await new Promise((r) => setTimeout(r, 20));
    expect(await up()).toBe('1');
    // The host's logger was told both transitions.
    expect(warnings.some((w) => /Redis unreachable/.test(w))).toBe(true);
    expect(warnings.some((w) => /Redis reachable again/.test(w))).toBe(true);
  } finally {
    await im.close();
    await own.stop();
  }
});

// /proc/self/task lists a process's threads (Linux): the runtime's are named interactions-redis.
(process.platform === 'linux' ? test : test.skip)('no cluster thread runs until a cluster manager connects', () => {
  const script = `
    const fs = require('node:fs');
    const threads = () => fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim());
    const { InteractionManager, ClusterInteractionManager } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const m = new InteractionManager();
    m.requestInteraction({ type: 't', sessionId: 's' }).catch(() => {});
    m.shutdown();
    const single = threads().filter((n) => n.startsWith('interactions')).length;
    ClusterInteractionManager.connect({ redisUrl: ${JSON.stringify(redis.url)}, prefix: 'threads' }).then(async (im) => {
      const cluster = threads().filter((n) => n.startsWith('interactions')).length;
      await im.close();
      console.log(JSON.stringify({ single, cluster }));
    });`;
  const r = require('node:child_process').spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  const { single, cluster } = JSON.parse(r.stdout);
  expect(single).toBe(0);
  // Two workers, started by tokio as they are needed: at least one is up once connected.
  expect(cluster).toBeGreaterThanOrEqual(1);
});
