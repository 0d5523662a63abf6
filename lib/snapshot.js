'use strict';
// Shapes the binding's cold-path results (src/metrics.rs, typed) into the plain objects of
// getMetricsSnapshot(), which any metrics library can read, and of getStatistics().

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

function shapeStatistics(native) {
  const out = {};
  for (const { type, total, resolved, rejected } of native.types) put(out, type, { total, resolved, rejected });
  out.pendingCount = native.pendingCount;
  out.sessionCount = native.sessionCount;
  return out;
}

module.exports = { shapeSnapshot, shapeStatistics };
