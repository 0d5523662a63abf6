// Defect 1 of issue 9: listeners that throw, at every step of a request, never cost the process,
// the interaction's own promise, or an error.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { manager, outcome, recordEvents } = require('./helpers');

const ask = (m, sessionId = 's') => m.requestInteraction({ type: 'permission', sessionId, data: {} });

describe('throwing listeners around a request', () => {
  test('request and rejected listeners both throw: the interaction is REJECTED, caused by the first error', async () => {
    const m = manager();
    const first = new Error('request listener bug');
    const second = new Error('rejected listener bug');
    m.once('interaction-request', () => {
      throw first;
    });
    m.once('interaction-rejected', () => {
      throw second;
    });
    const { error } = await outcome(ask(m));
    expect(error.code).toBe('REJECTED');
    expect(error.interactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.cause).toBe(first);
    expect(error.listenerErrors).toEqual([first, second]);
    expect(m.getPendingCount()).toBe(0);
  });

  test('a listener that requests again from inside gets every promise back, none orphaned', async () => {
    const m = manager();
    const inner = [];
    let depth = 0;
    m.on('interaction-request', () => {
      if (depth++ < 3) inner.push(ask(m));
      throw new Error('recursive listener bug');
    });
    m.on('interaction-rejected', () => {
      throw new Error('and this one too');
    });
    const outer = ask(m);
    const all = await Promise.all([outer, ...inner].map(outcome));
    expect(all.map((o) => o.error.code)).toEqual(['REJECTED', 'REJECTED', 'REJECTED', 'REJECTED']);
    expect(all.every((o) => o.error.cause instanceof Error)).toBe(true);
    expect(m.getPendingCount()).toBe(0);
  });

  test('a listener that throws a non-Error is the cause as it was thrown', async () => {
    const m = manager();
    const events = recordEvents(m);
    m.prependOnceListener('interaction-request', () => {
      throw 'a string'; // eslint-disable-line no-throw-literal
    });
    const { error } = await outcome(ask(m));
    expect(error.cause).toBe('a string');
    // EventEmitter stops at the listener that threw; the rejection is still announced.
    expect(events.map(([name]) => name)).toEqual(['interaction-rejected']);
  });

  test('in a real process: no unhandled rejection, exit code 0', () => {
    const fixture = path.join(__dirname, 'fixtures', 'two-throwing-listeners.cjs');
    const r = spawnSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ outer: 'REJECTED', cause: 'request listener bug', inner: ['REJECTED', 'REJECTED'], pending: 0 });
  });
});
