'use strict';
// Shapes the binding's cold-path results into the plain objects of getMetricsSnapshot() (which
// any metrics library can read) and getStatistics().

const { CODES } = require('./errors.js');

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

function shapeStatistics(flat) {
  const out = {};
  for (let i = 2; i < flat.length; i += 4) {
    put(out, flat[i], { total: flat[i + 1], resolved: flat[i + 2], rejected: flat[i + 3] });
  }
  out.pendingCount = flat[0];
  out.sessionCount = flat[1];
  return out;
}

module.exports = { shapeSnapshot, shapeStatistics };
