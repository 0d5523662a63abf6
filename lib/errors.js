'use strict';
// Every error the package makes, and the table of settle codes and their messages.

const native = require('./native.js');

// The settle codes in the core's order (the binding's reports name codes by index) and their
// messages, defined once in the core (src/constants.rs `settleCodes`).
const SETTLE_CODES = native.settleCodes();
const CODES = Object.freeze(SETTLE_CODES.map(({ code }) => code));
const MESSAGES = Object.freeze(Object.fromEntries(SETTLE_CODES.filter(({ message }) => message !== '').map(({ code, message }) => [code, message])));

class InteractionError extends Error {
  constructor(message, code, interactionId, retryAfterMs) {
    super(message);
    this.code = code;
    if (interactionId !== undefined) this.interactionId = interactionId;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

// Cluster mode's errors (REDIS_UNAVAILABLE, REDIS_ERROR, INSTANCE_ID_IN_USE): an InteractionError too, so a host's
// `instanceof InteractionError` checks keep catching them.
class ClusterError extends InteractionError {}

// On the prototypes, defined rather than assigned: with frozen intrinsics, assigning `name` on an
// instance throws (Error.prototype.name is read-only).
for (const [Class, name] of [
  [InteractionError, 'InteractionError'],
  [ClusterError, 'ClusterError'],
]) {
  Object.defineProperty(Class.prototype, 'name', { value: name, writable: true, configurable: true });
}

// Bulk endings (a removed session, timeouts, the stale sweep, shutdown, fencing) make errors without a
// captured stack: it would show only the manager's internals, and capturing it was most of the
// cost of settling in bulk. Single answers (REJECTED, ABORTED) keep theirs.
const STACKLESS = new Set(['SESSION_REMOVED', 'TIMEOUT', 'STALE', 'SHUTDOWN', 'OWNER_GONE']);

function withoutStack(make) {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    return make(); // frozen intrinsics: keep the stack rather than fail
  }
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A settlement's error, as the binding's error factory makes it. */
function settlementError(code, message, interactionId, retryAfterMs) {
  const make = () => new InteractionError(message, code, interactionId, retryAfterMs);
  return STACKLESS.has(code) ? withoutStack(make) : make();
}

/** The text of a rejection reason given by a caller: never throws. */
function reasonText(reason) {
  if (reason === undefined) return MESSAGES.REJECTED;
  try {
    return String(reason);
  } catch {
    return MESSAGES.REJECTED;
  }
}

/** An id from the network, quoted and cut for a log line. */
function describeId(id) {
  return typeof id === 'string' ? JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}...` : id) : `<${typeof id}>`;
}

module.exports = { CODES, MESSAGES, InteractionError, ClusterError, settlementError, reasonText, describeId };
