'use strict';
// A fault run's cluster: a real redis-server (scripts/redis-server.js), and host processes
// (fixtures/fault-host.cjs), each behind its own proxy (support/proxy.js) so it can be cut off
// alone. It injects the faults for real, writes down each one's window for the checker, and
// gathers every process's history, that of a process killed with SIGKILL too.

const path = require('node:path');
const { execFile } = require('node:child_process');
const { startRedis } = require('../../scripts/redis-server.js');
const { spawnHost } = require('./cluster.js');
const { startProxy } = require('./proxy.js');
const { check } = require('./checker.js');

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'fault-host.cjs');
// Clusters not closed yet: a spec that timed out leaves no process behind (closeAll).
const open = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A call that gives up after `ms` (a stopped or killed process never answers). */
function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * `users`: { [slot]: 'name:password' } connects that host as an ACL user, which `setup` (redis-cli
 * commands run before the hosts start) can make; such a host may be refused (`c.refused[slot]`).
 */
async function startCluster({ hosts = 3, heartbeatMs = 200, ownerTimeoutMs = 1000, prefix = 'f', options = {}, users = {}, setup = [], stagger = false } = {}) {
  const redis = await startRedis({ args: ['--enable-debug-command', 'local'] });
  for (const args of setup) redis.cli(...args);
  const target = { host: '127.0.0.1', port: redis.port };
  const proxies = await Promise.all(Array.from({ length: hosts }, () => startProxy(target)));
  const all = [];
  const slots = [];
  const windows = [];
  const generation = new Array(hosts).fill(0);

  async function spawn(i, instanceId) {
    const gen = generation[i]++;
    const name = gen === 0 ? `host${i}` : `host${i}.${gen}`;
    const redisUrl = users[i] === undefined ? proxies[i].url : proxies[i].url.replace('//', `//${users[i]}@`);
    const config = { name, instanceId: instanceId ?? name, redisUrl, prefix, heartbeatMs, ownerTimeoutMs, ...options };
    const host = spawnHost(config, FIXTURE);
    host.name = name;
    all.push(host);
    slots[i] = host;
    try {
      await host.ready;
    } catch (err) {
      if (users[i] === undefined) throw err;
      refused[i] = err;
    }
    return host;
  }
  const refused = {};
  if (stagger) {
    // One after another, a third of a heartbeat apart: their heartbeats (and so their
    // reconnections after a fault that hits all at once) do not fall together.
    for (let i = 0; i < hosts; i++) {
      await spawn(i);
      await sleep(Math.round(heartbeatMs / hosts));
    }
  } else await Promise.all(proxies.map((_, i) => spawn(i)));

  const alive = () => slots.filter((h) => h.child.exitCode === null && h.child.signalCode === null);
  const c = {
    redis,
    proxies,
    windows,
    refused,
    faults: () => ({ ownerTimeoutMs, heartbeatMs, windows }),
    host: (i) => slots[i],
    /** redis-cli, without blocking this process (its proxies forward meanwhile). */
    // redis-cli exits 0 on an error reply: a fault Redis refused (DEBUG not enabled, say) must
    // not pass for one injected.
    cli: (...args) =>
      new Promise((resolve, reject) =>
        execFile('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }, (err, out) => {
          if (err || /^(ERR|NOPERM|WRONGTYPE|OOM|BUSY)\b/.test(out)) reject(err || new Error(`redis-cli ${args.join(' ')}: ${out.trim()}`));
          else resolve(out.trim());
        }),
      ),
    /** What a process logged (fault-host.cjs `log` records). */
    logged: (name) => all.filter((h) => h.name === name).flatMap((h) => h.history.filter((r) => r.op === 'log').map((r) => r.text)),
    history: () => all.flatMap((h) => h.history),
    check: () => check(c.history(), c.faults()),
    /** The load on every live process (fault-host.cjs `load` for the options). */
    load: (opts = {}) => Promise.all(alive().map((h) => h.call('load', opts))),
    stop: () => Promise.all(alive().map((h) => within(h.call('stop'), 5000, `stop on ${h.name}`))),

    async kill(i) {
      const h = slots[i];
      windows.push({ p: h.name, kind: 'kill', from: Date.now(), to: Infinity });
      h.kill('SIGKILL');
      await h.exit;
    },
    /** Started again in slot i; `sameId`: with the instanceId of the one it replaces. */
    restart: (i, { sameId = false } = {}) => spawn(i, sameId ? slots[i].instanceId : undefined),
    async pause(i, ms) {
      const h = slots[i];
      const w = { p: h.name, kind: 'pause', from: Date.now(), to: Infinity };
      windows.push(w);
      h.child.kill('SIGSTOP');
      await sleep(ms);
      h.child.kill('SIGCONT');
      w.to = Date.now();
    },
    /** Process i cut off from Redis by its proxy for ms: `how` is 'hold' or 'silent'. */
    async partition(i, ms, how = 'hold') {
      const w = { p: slots[i].name, kind: 'partition', from: Date.now(), to: Infinity };
      windows.push(w);
      proxies[i][how]();
      await sleep(ms);
      proxies[i].heal();
      w.to = Date.now();
    },

    /**
     * After the load stopped: waits until nothing is left that should end (no liveness
     * violation) or `maxMs` (by default the longest an ending may fairly take: the requests'
     * `timeoutMs`, then a reaping, plus a second for a loaded machine), then `quietMs` more
     * for late duplicates (a replayed write comes within a heartbeat); the violations.
     * `enough()`: true when the caller has seen what it waits for (it stops waiting then).
     */
    async settle({ timeoutMs = 1500, maxMs = timeoutMs + ownerTimeoutMs + 2 * heartbeatMs + 1000, quietMs = 2 * heartbeatMs, enough = () => false } = {}) {
      const end = Date.now() + maxMs;
      while (Date.now() < end && !enough() && c.check().some((v) => v.invariant === 'liveness')) await sleep(100);
      if (!enough()) await sleep(quietMs);
      return c.check();
    },

    /** Closes every live process (each must exit 0: no crash, no unhandled rejection). */
    async close() {
      open.delete(c);
      for (const h of all) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGCONT');
      const exits = await Promise.all(
        alive().map(async (h) => {
          await within(h.call('close'), 10_000, `close on ${h.name}`).catch(() => h.kill('SIGKILL'));
          return { name: h.name, ...(await h.exit) };
        }),
      );
      await Promise.all(proxies.map((p) => p.close()));
      await redis.stop();
      return exits;
    },
  };
  open.add(c);
  return c;
}

/** Kills what is left of every cluster not closed (for afterAll). */
async function closeAll() {
  for (const c of [...open]) {
    open.delete(c);
    for (const i of c.proxies.keys()) c.host(i).kill('SIGKILL');
    await Promise.all(c.proxies.map((p) => p.close()));
    await c.redis.stop();
  }
}

module.exports = { startCluster, closeAll, sleep, within };
