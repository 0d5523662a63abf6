'use strict';
// Shapes the binding's flat snapshot (src/metrics.rs `snapshot`) into the plain object of
// getMetricsSnapshot(), which any metrics library can read.

// The order of the core's SettleCode::ALL.
const CODES = ['RESOLVED', 'REJECTED', 'SESSION_REMOVED', 'TIMEOUT', 'ABORTED', 'STALE', 'SHUTDOWN'];

// Types are caller-supplied keys: defined, so that a type named "__proto__" stays a key.
function put(object, key, value) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function shapeSnapshot(flat) {
  const [sessions, detachedSessions, oldestAgeMs, rateLimitWindows, bucketCount] = flat;
  const bounds = flat.slice(5, 5 + bucketCount);
  const snapshot = {
    pending: {},
    sessions,
    detachedSessions,
    rateLimitWindows,
    oldestPendingAgeSeconds: oldestAgeMs / 1000,
    settled: {},
    wait: {},
  };
  const perRow = 3 + CODES.length + bucketCount;
  for (let i = 5 + bucketCount; i + perRow <= flat.length; i += perRow) {
    const type = flat[i];
    put(snapshot.pending, type, flat[i + 1]);
    const settled = {};
    let count = 0;
    CODES.forEach((code, k) => {
      settled[code] = flat[i + 2 + k];
      count += flat[i + 2 + k];
    });
    put(snapshot.settled, type, settled);
    let cumulative = 0;
    const buckets = bounds.map((le, k) => {
      cumulative += flat[i + 2 + CODES.length + k];
      return { le: le / 1000, count: cumulative };
    });
    buckets.push({ le: Infinity, count });
    put(snapshot.wait, type, { buckets, sum: flat[i + 2 + CODES.length + bucketCount] / 1000, count });
  }
  return snapshot;
}

module.exports = { shapeSnapshot, CODES };
