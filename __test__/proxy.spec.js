'use strict';
// The fault suite's TCP proxy (support/proxy.js) in front of an echo server: each fault does
// what the fault spec relies on, so a scenario that passes did meet its fault.

const net = require('node:net');
const { startProxy } = require('./support/proxy.js');

let echo;
let proxy;
let target;

beforeEach(async () => {
  echo = net.createServer((s) => s.on('error', () => {}).pipe(s));
  await new Promise((r) => echo.listen(0, '127.0.0.1', r));
  target = { host: '127.0.0.1', port: echo.address().port };
  proxy = await startProxy(target);
});
afterEach(async () => {
  await proxy.close();
  await new Promise((r) => echo.close(r));
});

// A client through the proxy, with everything it received so far.
async function client() {
  const s = net.connect({ host: '127.0.0.1', port: proxy.port });
  const c = { s, got: '', closed: null };
  s.on('data', (d) => (c.got += d));
  s.on('error', (err) => (c.closed = err.code));
  s.on('close', () => (c.closed = c.closed || 'closed'));
  await new Promise((r) => s.once('connect', r));
  return c;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(f, ms = 2000) {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

test('forwards both ways; refuses a target off loopback', async () => {
  const c = await client();
  c.s.write('ping');
  await until(() => c.got === 'ping');
  await expect(startProxy({ host: '10.0.0.1', port: 1 })).rejects.toThrow(/only loopback/);
});

test('hold() keeps the bytes, release() forwards them in order; delay() defers them', async () => {
  const c = await client();
  proxy.hold();
  c.s.write('a');
  c.s.write('b');
  await sleep(50);
  expect(c.got).toBe('');
  proxy.release();
  await until(() => c.got === 'ab');
  proxy.delay(100);
  const start = Date.now();
  c.s.write('c');
  await until(() => c.got === 'abc');
  expect(Date.now() - start).toBeGreaterThanOrEqual(150);
});

test('reset() sends an RST to the client', async () => {
  const c = await client();
  proxy.reset();
  await until(() => c.closed !== null);
  expect(c.closed).toBe('ECONNRESET');
});

test('silent(): a black hole that never closes and stays dead; new flows work after heal()', async () => {
  const c = await client();
  proxy.silent();
  c.s.write('lost');
  const during = await client();
  during.s.write('lost too');
  await sleep(100);
  expect([c.got, during.got, c.closed, during.closed]).toEqual(['', '', null, null]);
  proxy.heal();
  c.s.write('still lost');
  const after = await client();
  after.s.write('fine');
  await until(() => after.got === 'fine');
  expect([c.got, c.closed, proxy.liveFlows()]).toEqual(['', null, 1]);
});
