'use strict';
// native-interaction-manager/prom-client: the manager's metrics in prom-client's registry.
// Each metric is an object the registry reads through get() (as prom-client's own metrics),
// built from getMetricsSnapshot() at scrape time: no prom-client import here, so it works with
// the host's own copy of prom-client, whatever its version (an optional peer dependency).

const { getInteractionManager } = require('./index.js');
const { CODES } = require('./lib/errors.js');

// Per registry and prefix: one set of metric objects shared by every manager registered there.
const groups = new WeakMap();

function family(name, help, type, sample) {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    get() {
      return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: sample() };
    },
    reset() {},
  };
}

function group(registry, prefix) {
  let byPrefix = groups.get(registry);
  if (byPrefix === undefined) groups.set(registry, (byPrefix = new Map()));
  let g = byPrefix.get(prefix);
  if (g !== undefined) return g;
  g = { members: [], cache: null };
  // One snapshot per manager per scrape: the registry reads every metric in one turn.
  const snapshots = () => {
    if (g.cache === null) {
      g.members = g.members.filter((m) => m.manager.deref() !== undefined);
      g.cache = g.members.map((m) => ({ labels: m.labels, s: m.manager.deref().getMetricsSnapshot() }));
      queueMicrotask(() => (g.cache = null));
    }
    return g.cache;
  };
  const each = (fn) => snapshots().flatMap(({ labels, s }) => fn(s, labels));
  const gauge = (name, help, pick) => family(`${prefix}${name}`, help, 'gauge', () => each((s, labels) => [{ value: pick(s), labels: { ...labels } }]));
  const metrics = [
    family(`${prefix}pending`, 'Pending interactions by type.', 'gauge', () =>
      each((s, labels) => Object.entries(s.pending).map(([type, value]) => ({ value, labels: { ...labels, type } }))),
    ),
    gauge('sessions', 'Sessions with pending interactions.', (s) => s.sessions),
    gauge('detached_sessions', 'Sessions in their reconnect grace.', (s) => s.detachedSessions),
    gauge('rate_limit_windows', 'Sessions whose rate-limit window is held.', (s) => s.rateLimitWindows),
    // Cluster managers only (ClusterInteractionManager): whether this process reaches Redis.
    family(`${prefix}redis_up`, 'Whether this process reaches Redis (cluster mode).', 'gauge', () =>
      each((s, labels) => (s.redisUp === undefined ? [] : [{ value: s.redisUp, labels: { ...labels } }])),
    ),
    gauge('oldest_pending_age_seconds', 'Age of the oldest pending interaction.', (s) => s.oldestPendingAgeSeconds),
    family(`${prefix}settled_total`, 'Settled interactions by type and how they ended.', 'counter', () =>
      each((s, labels) => Object.entries(s.settled).flatMap(([type, byCode]) => CODES.map((code) => ({ value: byCode[code], labels: { ...labels, type, code } })))),
    ),
    family(`${prefix}wait_seconds`, 'How long interactions waited until they were settled.', 'histogram', () =>
      each((s, labels) =>
        Object.entries(s.wait).flatMap(([type, w]) => [
          ...w.buckets.map((b) => ({ metricName: `${prefix}wait_seconds_bucket`, value: b.count, labels: { ...labels, type, le: b.le === Infinity ? '+Inf' : b.le } })),
          { metricName: `${prefix}wait_seconds_sum`, value: w.sum, labels: { ...labels, type } },
          { metricName: `${prefix}wait_seconds_count`, value: w.count, labels: { ...labels, type } },
        ]),
      ),
    ),
  ];
  for (const metric of metrics) registry.registerMetric(metric);
  byPrefix.set(prefix, g);
  return g;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Adds a manager's metrics to a prom-client registry (`register`, or a `new Registry()`).
 * Several managers in one registry are told apart by constant `labels` (e.g. `{ manager: 'a' }`).
 * Returns a function that removes this manager from the registry's metrics again.
 */
function registerMetrics(registry, { manager = getInteractionManager(), prefix = 'interaction_manager_', labels = {} } = {}) {
  if (registry === null || typeof registry !== 'object' || typeof registry.registerMetric !== 'function') {
    throw new TypeError("registerMetrics expects a prom-client Registry (require('prom-client').register)");
  }
  if (typeof manager?.getMetricsSnapshot !== 'function') throw new TypeError('manager must be an InteractionManager');
  if (typeof prefix !== 'string' || (prefix !== '' && !NAME.test(prefix))) throw new TypeError(`prefix must be a metric name prefix, got ${JSON.stringify(prefix)}`);
  if (labels === null || typeof labels !== 'object') throw new TypeError('labels must be an object of constant label values');
  const constant = {};
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL.test(key) || key.startsWith('__') || ['type', 'code', 'le'].includes(key)) throw new TypeError(`label name '${key}' is not allowed`);
    constant[key] = String(value);
  }
  const g = group(registry, prefix);
  const key = JSON.stringify(Object.entries(constant).sort());
  if (g.members.some((m) => m.manager.deref() !== undefined && m.key === key)) {
    throw new Error(`a manager with labels ${key} is already registered under prefix '${prefix}': give each manager distinct constant labels`);
  }
  const member = { manager: new WeakRef(manager), labels: constant, key };
  g.members.push(member);
  g.cache = null;
  return () => {
    g.members = g.members.filter((m) => m !== member);
    g.cache = null;
  };
}

module.exports = { registerMetrics };
