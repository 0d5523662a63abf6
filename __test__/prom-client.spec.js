// Issue 11, part 1: the manager's metrics in prom-client's own registry, beside Node's default
// metrics, in the text and OpenMetrics formats; several managers told apart by constant labels.
const client = require('prom-client');
const { registerMetrics } = require('../prom-client');
const { checkExposition } = require('./support/exposition');
const { manager, outcome } = require('./helpers');

function twoManagers() {
  const a = manager();
  const b = manager();
  let id;
  a.once('interaction-request', (i) => (id = i.id));
  const answered = a.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
  a.resolveInteraction(id, 'ok');
  a.requestInteraction({ type: 'ask-user', sessionId: 's', data: {} });
  const removed = b.requestInteraction({ type: 'permission', sessionId: 't', data: {} });
  b.removeSession('t');
  return { a, b, answered, removed };
}

describe('registerMetrics (native-interaction-manager/prom-client)', () => {
  test.each([
    ['text', client.Registry.PROMETHEUS_CONTENT_TYPE, false],
    ['OpenMetrics', client.Registry.OPENMETRICS_CONTENT_TYPE, true],
  ])('%s: two managers and the default metrics in one registry, strictly well formed', async (_, type, openMetrics) => {
    const { a, b, answered, removed } = twoManagers();
    await answered;
    await outcome(removed);
    const registry = new client.Registry(type);
    client.collectDefaultMetrics({ register: registry });
    registerMetrics(registry, { manager: a, labels: { manager: 'a' } });
    registerMetrics(registry, { manager: b, labels: { manager: 'b' } });
    const text = await registry.metrics();
    const samples = checkExposition(text, { openMetrics });
    const value = (name, labels) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('interaction_manager_settled_total', { manager: 'a', type: 'permission', code: 'RESOLVED' })).toBe(1);
    expect(value('interaction_manager_settled_total', { manager: 'b', type: 'permission', code: 'SESSION_REMOVED' })).toBe(1);
    expect(value('interaction_manager_pending', { manager: 'a', type: 'ask-user' })).toBe(1);
    expect(value('interaction_manager_sessions', { manager: 'a' })).toBe(1);
    expect(value('interaction_manager_wait_seconds_count', { manager: 'a', type: 'permission' })).toBe(1);
    expect(value('interaction_manager_wait_seconds_bucket', { manager: 'a', type: 'permission', le: '+Inf' })).toBe(1);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });

  test('the snapshot is the same data as getMetrics()', () => {
    const { a } = twoManagers();
    const snap = a.getMetricsSnapshot();
    expect(snap.pending).toEqual({ permission: 0, 'ask-user': 1 });
    expect(snap.settled.permission.RESOLVED).toBe(1);
    expect(snap.wait.permission.count).toBe(1);
    expect(snap.wait.permission.buckets.at(-1)).toEqual({ le: Infinity, count: 1 });
    expect(a.getMetrics()).toMatch(/^interaction_manager_pending\{type="ask-user"\} 1$/m);
    checkExposition(a.getMetrics());
  });

  test('the same labels twice under one prefix are refused; the remover takes a manager out', async () => {
    const { a, b } = twoManagers();
    const registry = new client.Registry();
    registerMetrics(registry, { manager: a });
    expect(() => registerMetrics(registry, { manager: b })).toThrow(/distinct constant labels/);
    const remove = registerMetrics(registry, { manager: b, labels: { manager: 'b' } });
    remove();
    const samples = checkExposition(await registry.metrics());
    expect(samples.some((s) => s.labels.manager === 'b')).toBe(false);
    expect(() => registerMetrics({}, { manager: a })).toThrow(TypeError);
    expect(() => registerMetrics(registry, { manager: a, labels: { type: 'x' } })).toThrow(/not allowed/);
  });

  test('the checker fails on what prom-client refused before: glued texts of two managers', () => {
    const { a, b } = twoManagers();
    expect(() => checkExposition(a.getMetrics() + b.getMetrics())).toThrow(/repeated/);
  });

  test('the main entry does not load prom-client', () => {
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(require.resolve('..'))}); console.log(Object.keys(require.cache).some((k) => k.includes('prom-client')))`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('false');
  });
});
