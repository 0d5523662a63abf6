'use strict';
// A TCP proxy in front of redis-server that a fault spec controls: one per host process, so one
// process can be cut off alone while the others go on. It forwards bytes, nothing else (it knows
// nothing of RESP). The faults, each on every flow (a client connection and its upstream one):
//
// - hold() / release(): stop forwarding and buffer both directions, then forward what was kept,
//   in order: a partition TCP survives (its retransmissions deliver everything once it heals).
// - delay(ms): forward each chunk ms later (order kept); delay(0) ends it.
// - reset(): destroy every flow with an RST on both sides (socket.resetAndDestroy()).
// - silent(): a black hole: the flows open now, and every flow accepted until heal(), forward
//   nothing and drop what they receive, and are never closed by the proxy. Their bytes are lost,
//   so they can never carry a consistent stream again: they stay dead after heal(), as a flow
//   whose peer vanished (a NAT entry dropped, a host gone without a FIN); only the client's own
//   timeouts can replace them.
// - heal(): every fault off; held bytes forwarded; new flows forward normally.
//
// Only loopback: the proxy listens on 127.0.0.1 and refuses any other target.

const net = require('node:net');

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

class Flow {
  constructor(proxy, client) {
    this.proxy = proxy;
    this.client = client;
    this.dead = proxy.mode === 'silent';
    this.held = { up: [], down: [] };
    this.upstream = net.connect({ host: proxy.target.host, port: proxy.target.port });
    this.upstream.setNoDelay(true);
    client.setNoDelay(true);
    client.on('data', (d) => this.carry('up', d));
    this.upstream.on('data', (d) => this.carry('down', d));
    // One side gone (redis-server killed, the client closed): the other goes too, as a real
    // connection through a proxy would, unless the flow is a black hole, which tells nothing.
    const gone = (other) => () => {
      if (!this.dead) other.destroy();
      if (this.client.destroyed && this.upstream.destroyed) proxy.flows.delete(this);
    };
    client.on('close', gone(this.upstream));
    this.upstream.on('close', gone(client));
    client.on('error', () => {});
    this.upstream.on('error', () => {});
  }

  carry(dir, data) {
    if (this.dead) return;
    const { mode, delayMs } = this.proxy;
    if (mode === 'hold') {
      this.held[dir].push(data);
      return;
    }
    const to = dir === 'up' ? this.upstream : this.client;
    if (delayMs > 0) setTimeout(() => this.dead || to.destroyed || to.write(data), delayMs);
    else if (!to.destroyed) to.write(data);
  }

  flush() {
    for (const dir of ['up', 'down']) {
      const to = dir === 'up' ? this.upstream : this.client;
      for (const data of this.held[dir].splice(0)) if (!to.destroyed) to.write(data);
    }
  }

  silence() {
    this.dead = true;
    this.held = { up: [], down: [] };
  }

  reset() {
    this.proxy.flows.delete(this);
    for (const s of [this.client, this.upstream]) {
      if (s.destroyed) continue;
      // An RST needs a connected socket; one still connecting is only destroyed.
      if (typeof s.resetAndDestroy === 'function' && !s.connecting) s.resetAndDestroy();
      else s.destroy();
    }
  }
}

/** Starts a proxy on a free loopback port in front of `target` ({ host, port }). */
async function startProxy(target) {
  if (!LOOPBACK.has(target.host)) throw new Error(`proxy: only loopback targets, not ${target.host}`);
  const proxy = {
    target,
    mode: 'forward',
    delayMs: 0,
    flows: new Set(),
    port: 0,
    url: '',
    hold() {
      proxy.mode = 'hold';
    },
    release() {
      if (proxy.mode !== 'hold') return;
      proxy.mode = 'forward';
      for (const f of proxy.flows) f.flush();
    },
    delay(ms) {
      proxy.delayMs = ms;
    },
    reset() {
      for (const f of [...proxy.flows]) f.reset();
    },
    silent() {
      proxy.mode = 'silent';
      for (const f of proxy.flows) f.silence();
    },
    heal() {
      proxy.delayMs = 0;
      proxy.release();
      proxy.mode = 'forward';
    },
    /** Flows forwarding now (not black holes). */
    liveFlows: () => [...proxy.flows].filter((f) => !f.dead).length,
    close() {
      for (const f of [...proxy.flows]) {
        f.client.destroy();
        f.upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((client) => proxy.flows.add(new Flow(proxy, client)));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  proxy.port = server.address().port;
  proxy.url = `redis://127.0.0.1:${proxy.port}`;
  return proxy;
}

module.exports = { startProxy };
