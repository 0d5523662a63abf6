'use strict';
// The same contract in plain JavaScript: a Map of records, a per-interaction setTimeout,
// crypto.randomUUID ids, the same events, codes and options. It is what the native package is
// measured against (npm run bench) and compared with (differential tests).

const { EventEmitter } = require('node:events');
const { randomUUID } = require('node:crypto');
const { DEFAULTS, InteractionError: BaselineError } = require('..');

const MESSAGES = {
  SESSION_REMOVED: 'Session removed',
  TIMEOUT: 'Interaction timed out',
  ABORTED: 'Interaction aborted',
  STALE: 'Stale interaction cleaned up',
  SHUTDOWN: 'InteractionManager shutting down',
};

const NO_SESSION = Symbol('no session');

class BaselineInteractionManager extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = { ...DEFAULTS, ...options };
    this.pending = new Map();
    this.bySession = new Map();
    this.statistics = {};
    this.closed = false;
    // Statistics rows: the first maxTypes types (of at most 256 UTF-8 bytes) get their own; the
    // rest, and a type named 'other', share the row 'other'.
    this.rowOf = new Map();
    this.ownRows = 0;
    // Rate limits: per bucket (a session, or one shared by all session-less requests), the
    // times of the requests inside the window.
    this.rates = new Map();
    // Detached sessions: session -> grace timer.
    this.graces = new Map();
    // Late answers: the last 10k settlements (at most 10 min) in a ring, with a Map to find them.
    this.history = new Map(); // id -> ring index
    this.ring = new Array(10_000);
    this.ringCode = new Array(10_000);
    this.ringTime = new Float64Array(10_000);
    this.ringAt = 0;
    this.sweeper = this.options.cleanupIntervalMs > 0 ? setInterval(() => this.cleanupStaleInteractions(), this.options.cleanupIntervalMs) : null;
    this.sweeper?.unref();
  }

  row(type) {
    let row = this.rowOf.get(type);
    if (row === undefined) {
      const own = type !== 'other' && this.ownRows < this.options.maxTypes && Buffer.byteLength(type) <= 256;
      row = own ? type : 'other';
      if (own) this.ownRows++;
      this.rowOf.set(type, row);
    }
    return row;
  }

  rateLimited(sessionId) {
    const limit = this.options.rateLimit;
    if (!limit) return null;
    const now = performance.now();
    const key = sessionId ? sessionId : NO_SESSION;
    const times = (this.rates.get(key) ?? []).filter((t) => Math.floor(t) + limit.windowMs > Math.floor(now));
    this.rates.set(key, times);
    if (times.length < limit.max) {
      times.push(now);
      return null;
    }
    const retryAfterMs = Math.floor(times[0]) + limit.windowMs - Math.floor(now);
    const subject = sessionId ? `session ${sessionId}` : 'requests without a session';
    const error = new BaselineError(`Rate limit exceeded for ${subject}; retry after ${retryAfterMs} ms`, 'RATE_LIMITED', undefined, retryAfterMs);
    return error;
  }

  requestInteraction({ type, sessionId, data, metadata = {}, timeoutMs, maxTotalMs, signal }) {
    if (typeof type !== 'string' || type === '') return Promise.reject(new TypeError('interaction type must be a non-empty string'));
    const abortSignal = signal ?? metadata?.abortSignal;
    if (abortSignal?.aborted) return Promise.reject(new BaselineError('Interaction aborted', 'ABORTED'));
    if (this.closed) return Promise.reject(new BaselineError('InteractionManager has been shut down', 'SHUTDOWN'));
    const limited = this.rateLimited(sessionId);
    if (limited) {
      // The native manager counts a request once admitted, after the other limits; undo below.
      return Promise.reject(limited);
    }
    const refused = this.refuse(sessionId);
    if (refused) {
      this.unrate(sessionId);
      return Promise.reject(refused);
    }
    return this.admit({ type, sessionId, data, metadata, timeoutMs, maxTotalMs, abortSignal });
  }

  unrate(sessionId) {
    if (this.options.rateLimit) this.rates.get(sessionId ? sessionId : NO_SESSION).pop();
  }

  refuse(sessionId) {
    if (sessionId && (this.bySession.get(sessionId)?.size ?? 0) >= this.options.maxInteractionsPerSession) {
      return new BaselineError(`Too many pending interactions for session ${sessionId}`, 'TOO_MANY_PENDING');
    }
    if (this.pending.size >= this.options.maxPendingTotal) {
      return new BaselineError(`Too many pending interactions (limit ${this.options.maxPendingTotal})`, 'TOO_MANY_PENDING');
    }
    return null;
  }

  admit({ type, sessionId, data, metadata, timeoutMs, maxTotalMs, abortSignal }) {
    const id = randomUUID();
    const requestedAt = Date.now();
    return new Promise((resolve, reject) => {
      const timeout = timeoutMs ?? this.options.interactionTimeoutMs;
      const cap = maxTotalMs > 0 ? Math.floor(performance.now()) + maxTotalMs : Infinity;
      const record = { id, type, row: this.row(type), sessionId, data, metadata, requestedAt, resolve, reject, timer: null, at: Infinity, timeout, cap, abortSignal, onAbort: null };
      this.schedule(record);
      if (abortSignal) {
        record.onAbort = () => this.settle(id, 'ABORTED', MESSAGES.ABORTED);
        abortSignal.addEventListener('abort', record.onAbort, { once: true });
      }
      this.pending.set(id, record);
      if (sessionId) {
        let ids = this.bySession.get(sessionId);
        if (!ids) this.bySession.set(sessionId, (ids = new Set()));
        ids.add(id);
      }
      (this.statistics[record.row] ??= { total: 0, resolved: 0, rejected: 0 }).total++;
      this.emit('interaction-request', { id, type, sessionId, data, metadata, requestedAt });
    });
  }

  // (Re)starts the record's timer: `timeout` from now, never past its cap. Times are whole
  // milliseconds, like Node's timer clock; a deadline that does not move keeps its timer.
  schedule(record) {
    const now = Math.floor(performance.now());
    const at = Math.min(record.timeout > 0 ? now + record.timeout : Infinity, record.cap);
    if (at === record.at) return;
    record.at = at;
    if (record.timer) clearTimeout(record.timer);
    record.timer = null;
    if (at === Infinity) return;
    record.timer = setTimeout(() => this.settle(record.id, 'TIMEOUT', MESSAGES.TIMEOUT), at - now);
    record.timer.unref();
  }

  touchInteraction(interactionId) {
    const record = this.pending.get(interactionId);
    if (!record) return this.invalid(interactionId);
    this.schedule(record);
    return { success: true };
  }

  detachSession(sessionId, { graceMs = 30_000 } = {}) {
    if (!sessionId || typeof sessionId !== 'string' || this.closed) return;
    this.attachSession(sessionId);
    const timer = setTimeout(() => {
      this.graces.delete(sessionId);
      this.removeSession(sessionId);
    }, graceMs);
    timer.unref();
    this.graces.set(sessionId, timer);
  }

  attachSession(sessionId) {
    const timer = this.graces.get(sessionId);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.graces.delete(sessionId);
    return true;
  }

  remember(id, code) {
    const i = this.ringAt;
    const evicted = this.ring[i];
    if (evicted !== undefined) this.history.delete(evicted);
    this.ring[i] = id;
    this.ringCode[i] = code;
    this.ringTime[i] = Date.now();
    this.history.set(id, i);
    this.ringAt = (i + 1) % this.ring.length;
  }

  invalid(id) {
    const i = this.history.get(id);
    if (i !== undefined && Date.now() - this.ringTime[i] < 600_000) {
      return { success: false, error: 'invalid_or_decided', settledAs: this.ringCode[i], settledAt: this.ringTime[i] };
    }
    return { success: false, error: 'invalid_or_decided' };
  }

  take(id, code) {
    const record = this.pending.get(id);
    if (!record) return undefined;
    this.remember(id, code);
    this.pending.delete(id);
    if (record.timer) clearTimeout(record.timer);
    if (record.onAbort) record.abortSignal.removeEventListener('abort', record.onAbort);
    if (record.sessionId) {
      const ids = this.bySession.get(record.sessionId);
      ids.delete(id);
      if (ids.size === 0) this.bySession.delete(record.sessionId);
    }
    return record;
  }

  settle(id, code, message) {
    const record = this.take(id, code);
    if (!record) return false;
    if (code !== 'SHUTDOWN') this.statistics[record.row].rejected++;
    record.reject(new BaselineError(message, code, id));
    this.emit('interaction-rejected', { interactionId: id, sessionId: record.sessionId, rejectedAt: Date.now(), reason: message, code });
    return true;
  }

  resolveInteraction(interactionId, response, requestingSessionId) {
    const record = this.pending.get(interactionId);
    if (!record) return this.invalid(interactionId);
    // Only an absent argument skips the check; any other value must be the session, exactly.
    if (requestingSessionId === undefined ? this.options.requireSessionMatch : record.sessionId !== requestingSessionId) {
      return { success: false, error: 'SESSION_MISMATCH' };
    }
    this.take(interactionId, 'RESOLVED');
    this.statistics[record.row].resolved++;
    record.resolve(response);
    this.emit('interaction-resolved', { interactionId, sessionId: record.sessionId, resolvedAt: Date.now() });
    return { success: true };
  }

  rejectInteraction(interactionId, reason = 'Interaction rejected') {
    return this.settle(interactionId, 'REJECTED', String(reason)) ? { success: true } : this.invalid(interactionId);
  }

  getPendingInteractions(sessionIds, type = null) {
    const out = [];
    for (const sessionId of Array.isArray(sessionIds) ? sessionIds : []) {
      for (const id of this.bySession.get(sessionId) ?? []) {
        const r = this.pending.get(id);
        if (type === null || r.type === type) {
          out.push({ id, type: r.type, sessionId: r.sessionId, data: r.data, metadata: r.metadata, requestedAt: r.requestedAt });
        }
      }
    }
    return out;
  }

  cleanupStaleInteractions() {
    const threshold = this.options.staleThresholdMs;
    if (threshold <= 0) return;
    const now = Date.now();
    for (const [id, r] of this.pending) {
      if (now - r.requestedAt >= threshold) this.settle(id, 'STALE', MESSAGES.STALE);
    }
  }

  removeSession(sessionId) {
    if (!sessionId) return;
    this.attachSession(sessionId);
    for (const id of [...(this.bySession.get(sessionId) ?? [])]) this.settle(id, 'SESSION_REMOVED', MESSAGES.SESSION_REMOVED);
  }

  getPendingCount() {
    return this.pending.size;
  }

  getStatistics() {
    const out = {};
    for (const [type, s] of Object.entries(this.statistics)) out[type] = { ...s };
    return { ...out, pendingCount: this.pending.size, sessionCount: this.bySession.size };
  }

  shutdown() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const timer of this.graces.values()) clearTimeout(timer);
    this.graces.clear();
    for (const id of [...this.pending.keys()]) this.settle(id, 'SHUTDOWN', MESSAGES.SHUTDOWN);
  }
}

module.exports = { BaselineInteractionManager };
