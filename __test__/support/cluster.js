'use strict';
// Starts host processes (fixtures/cluster-host.cjs) and drives them: `call(op, args)` runs one
// operation there; `events` and `settled` collect what the process reported. A fault run's
// fixture (fixtures/fault-host.cjs) reports its history instead: `history` keeps it here, in
// the spec's process, as it arrives, so it outlives a process killed with SIGKILL.

const { fork } = require('node:child_process');
const path = require('node:path');

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'cluster-host.cjs');
const live = new Set();

function spawnHost(config, fixture = FIXTURE) {
  const child = fork(fixture, [], { serialization: 'advanced', env: { ...process.env, CLUSTER_HOST: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  let seq = 0;
  const waiting = new Map();
  const host = {
    child,
    events: [],
    settled: new Map(),
    history: [],
    instanceId: null,
    exit: new Promise((resolve) => child.on('exit', (code, signal) => (live.delete(child), resolve({ code, signal })))),
    call(op, args) {
      return new Promise((resolve, reject) => {
        seq += 1;
        waiting.set(seq, { resolve, reject });
        child.send({ seq, op, args });
      });
    },
    named(name) {
      return host.events.filter((e) => e.name === name);
    },
    kill: (signal = 'SIGKILL') => child.kill(signal),
  };
  host.ready = new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.kind === 'ready') {
        host.instanceId = m.instanceId;
        resolve(host);
      } else if (m.kind === 'failed') reject(Object.assign(new Error(m.message), { code: m.code }));
      else if (m.kind === 'event') host.events.push(m);
      else if (m.kind === 'settled') host.settled.set(m.id, m);
      else if (m.kind === 'history') host.history.push(...m.records);
      else if (m.kind === 'reply') {
        const w = waiting.get(m.seq);
        waiting.delete(m.seq);
        if (m.error) w.reject(Object.assign(new Error(m.error.message), m.error));
        else w.resolve(m.result);
      }
    });
    child.on('exit', (code) => reject(new Error(`host exited before it was ready (${code})`)));
  });
  return host;
}

async function spawnHosts(n, config) {
  return Promise.all(Array.from({ length: n }, (_, i) => spawnHost({ instanceId: `host${i}`, ...config }).ready));
}

/** Polls `check` until it returns a truthy value; the value, or an error after `ms`. */
async function until(check, ms = 10_000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function killAll() {
  for (const c of live) c.kill('SIGKILL');
}

module.exports = { spawnHost, spawnHosts, until, killAll };
