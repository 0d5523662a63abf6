'use strict';
// Shapes the binding's snapshot (src/metrics.rs `snapshot`, typed rows) into the plain object of
// getMetricsSnapshot(), which any metrics library can read.

// The codes in the core's SettleCode order, from the binding (src/constants.rs).
const CODES = require('./load.js').loadBinding().settleCodes().map(({ code }) => code);

// Types are caller-supplied keys: defined, so that a type named "__proto__" stays a key.
function put(object, key, value) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function shapeSnapshot(native) {
  const snapshot = {
    pending: {},
    sessions: native.sessions,
    detachedSessions: native.detachedSessions,
    rateLimitWindows: native.rateLimitWindows,
    oldestPendingAgeSeconds: native.oldestPendingAgeMs / 1000,
    settled: {},
    wait: {},
  };
  for (const row of native.types) {
    put(snapshot.pending, row.type, row.pending);
    const settled = {};
    for (const { code, count } of row.settled) settled[code] = count;
    put(snapshot.settled, row.type, settled);
    const buckets = row.waitBuckets.map(({ leMs, count }) => ({ le: leMs / 1000, count }));
    buckets.push({ le: Infinity, count: row.waitCount });
    put(snapshot.wait, row.type, { buckets, sum: row.waitSumMs / 1000, count: row.waitCount });
  }
  return snapshot;
}

module.exports = { shapeSnapshot, CODES };
