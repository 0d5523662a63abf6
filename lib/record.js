'use strict';
// One interaction's JS side: the record its slot holds from request to settlement, and the
// event its ending is announced with.

const { AsyncResource } = require('node:async_hooks');

// `scoped`: something can see the async context a timeout's events run in (a listener of
// timeouts, the host's logger, cluster mode's observer), so the record keeps the request's, as a
// setTimeout per interaction would. Only then: a resource costs 72 B per pending interaction
// (Node 20), and a record without one is a field smaller (8 B).
function recordOf(id, type, sessionId, data, metadata, requestedAt, scoped) {
  if (!scoped) return { id, type, sessionId, data, metadata, requestedAt };
  const scope = new AsyncResource('Interaction', { requireManualDestroy: true });
  return { id, type, sessionId, data, metadata, requestedAt, scope };
}

const endName = (code) => (code === 'RESOLVED' ? 'interaction-resolved' : 'interaction-rejected');

function endEvent(record, code, reason, at) {
  if (code === 'RESOLVED') return { interactionId: record.id, sessionId: record.sessionId, resolvedAt: at };
  return { interactionId: record.id, sessionId: record.sessionId, rejectedAt: at, reason, code };
}

module.exports = { recordOf, endName, endEvent };
