'use strict';
// InteractionManager: the public face of one process's registry. An EventEmitter that shapes
// arguments, keeps each interaction's JS objects in a slot, and emits events; the registry, ids,
// deadlines and promises live in Rust (native.js).

const { EventEmitter } = require('node:events');
const { randomUUID } = require('node:crypto');
const native = require('./native.js');
const { readOptions, checkMillis } = require('./options.js');
const { readRequest, waitOf } = require('./request.js');
const { Listing } = require('./listing.js');
const { defaultLogger, Throttle } = require('./logging.js');
const { shapeSnapshot, shapeStatistics } = require('./snapshot.js');
const { MESSAGES, InteractionError, reasonText, describeId } = require('./errors.js');
const { Settlements } = require('./finish.js');
const { SignalWatch } = require('./signals.js');
const { DeadlineTimer, clock, MAX_TIMER_DELAY } = require('./timer.js');

// Interactions settled per event-loop turn by expiry and by the stale sweep, so that 100k
// endings at once do not stall the loop: with 500, the longest stall measured here was 7-11 ms
// (npm run bench; the target is 20 ms).
const SETTLE_CHUNK = 500;
const { DEFAULT_GRACE_MS } = native;

// The one internal hook of cluster mode (lib/cluster.js), keyed by symbols no host code has:
// `[kObserve]({ requested(event, tag), ended(name, event), guard() })` makes the manager hand its
// events to the observer instead of emitting them, and call `guard()` before anything that can
// register or settle an interaction (cluster mode fences there a process that lost its lease), and `[kRequest](request, tag)` is requestInteraction
// with a value passed through to `requested`.
const kObserve = Symbol('InteractionManager.observe');
const kRequest = Symbol('InteractionManager.request');
// `[kFence]()`: ends every pending interaction OWNER_GONE and keeps taking requests (cluster
// mode, when this process can no longer prove it is alive).
const kFence = Symbol('InteractionManager.fence');

// A manager that is dropped without shutdown() (its timers hold it only weakly) still frees its
// registry: the pending promises reject with SHUTDOWN, since nobody can answer them any more.
const reclaim = new FinalizationRegistry(({ handle, sweeper }) => {
  clearInterval(sweeper);
  native.destroy(handle);
});

let expireOf;
let sweepOf;
const onSweep = (weak) => {
  const m = weak.deref();
  if (m !== undefined) sweepOf(m);
};

class InteractionManager extends EventEmitter {
  #handle;
  #timeoutMs;
  #weak = new WeakRef(this);
  #timer;
  #sweeper = null;
  #sweepStep = null;
  #closed = false;
  #logger;
  #debug;
  #throttle;
  #observer = null;
  // The records by slot and the one finish path (finish.js); it emits through #announce.
  #settled = new Settlements((record, code, reason, at) => this.#announce(record, code, reason, at));
  #signals = new SignalWatch((ids) => this.#aborted(ids));
  #listing = new Listing();

  static {
    expireOf = (m) => m.#expire();
    sweepOf = (m) => m.#sweep();
  }

  /** @param {import('../index').InteractionManagerOptions} [options] */
  constructor(options) {
    super();
    const o = readOptions(options);
    this.#timeoutMs = o.interactionTimeoutMs;
    if (o.logger === null) {
      const { logger, debugEnabled } = defaultLogger();
      this.#logger = logger;
      this.#debug = debugEnabled;
    } else {
      this.#logger = o.logger;
      this.#debug = true;
    }
    this.#throttle = new Throttle(this.#logger);
    this.#timer = new DeadlineTimer(this.#weak, expireOf);
    this.#handle = native.create(this.#settled.errorFactory(), {
      interactionTimeoutMs: o.interactionTimeoutMs,
      staleThresholdMs: o.staleThresholdMs,
      maxInteractionsPerSession: o.maxInteractionsPerSession,
      maxPendingTotal: o.maxPendingTotal,
      requireSessionMatch: o.requireSessionMatch,
      rateLimitMax: o.rateLimit ? o.rateLimit.max : 0,
      rateLimitWindowMs: o.rateLimit ? o.rateLimit.windowMs : 0,
      maxTypes: o.maxTypes,
    });
    if (o.cleanupIntervalMs > 0) {
      this.#sweeper = setInterval(onSweep, Math.min(o.cleanupIntervalMs, MAX_TIMER_DELAY), this.#weak);
      this.#sweeper.unref();
    }
    reclaim.register(this, { handle: this.#handle, sweeper: this.#sweeper }, this);
  }

  [kObserve](observer) {
    this.#observer = observer;
  }

  #log(...args) {
    if (this.#debug) this.#logger.debug(...args);
  }

  // One settled interaction's event, to this object's listeners or cluster mode's observer.
  #announce(record, code, reason, at) {
    if (this.#signals.size > 0) this.#signals.unwatch(record.id);
    let name;
    let event;
    if (code === 'RESOLVED') {
      this.#log('resolved', record.id);
      name = 'interaction-resolved';
      event = { interactionId: record.id, sessionId: record.sessionId, resolvedAt: at };
    } else {
      this.#log('rejected', record.id, code);
      name = 'interaction-rejected';
      event = { interactionId: record.id, sessionId: record.sessionId, rejectedAt: at, reason, code };
    }
    if (this.#observer === null) this.emit(name, event);
    else this.#observer.ended(name, event);
  }

  requestInteraction(request) {
    return this[kRequest](request, undefined);
  }

  [kRequest](request, tag) {
    try {
      return this.#request(request, tag);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // Everything that can fail runs before the interaction is registered; once it is, this
  // returns its promise whatever listeners do.
  #request(request, tag) {
    if (this.#observer !== null) this.#observer.guard();
    const { type, sessionId, data, metadata, timeout, maxTotal, abortSignal } = readRequest(request, this.#timeoutMs);
    if (abortSignal !== undefined && abortSignal.aborted) return Promise.reject(new InteractionError(MESSAGES.ABORTED, 'ABORTED'));

    const id = randomUUID();
    const requestedAt = Date.now();
    const record = { id, type, sessionId, data, metadata, requestedAt };
    const slot = this.#settled.take(record);
    const now = clock();
    let made;
    try {
      if (abortSignal !== undefined) this.#signals.watch(id, abortSignal);
      made = native.request(this.#handle, id, slot, type, sessionId, timeout, now, maxTotal);
    } finally {
      if (made === undefined) this.#drop(id, slot);
    }
    if (Array.isArray(made)) {
      // Refused (TOO_MANY_PENDING, RATE_LIMITED, SHUTDOWN): the promise is already rejected.
      this.#drop(id, slot);
      this.#settled.lastMade = undefined;
      return made[0];
    }

    const wait = waitOf(timeout, maxTotal);
    if (wait !== Infinity) this.#timer.arm(now + wait);
    this.#log('request', id, type, sessionId);
    try {
      const event = { id, type, sessionId, data, metadata, requestedAt };
      if (this.#observer === null) this.emit('interaction-request', event);
      else this.#observer.requested(event, tag);
    } catch (err) {
      this.#listenerFailed(id, err);
    }
    return made;
  }

  // An interaction-request listener threw: nobody may have seen the interaction, so it is
  // rejected (REJECTED) with that error as `cause`. Errors of the interaction-rejected listeners
  // this emits are kept too (`listenerErrors`), never thrown at the requester.
  #listenerFailed(id, err) {
    const errors = [err];
    let made;
    try {
      const report = native.reject(this.#handle, id, `interaction-request listener failed: ${reasonText(err && err.message)}`, false, clock());
      made = this.#settled.lastMade;
      if (report !== null) this.#settled.apply(report, undefined);
    } catch (later) {
      errors.push(...(later instanceof AggregateError && later.errors ? later.errors : [later]));
    }
    this.#settled.lastMade = undefined;
    if (made === undefined || made === null || typeof made !== 'object') return;
    try {
      Object.defineProperty(made, 'cause', { value: err, writable: true, configurable: true });
      if (errors.length > 1) Object.defineProperty(made, 'listenerErrors', { value: errors, writable: true, configurable: true });
    } catch {
      // A frozen error (fallback with frozen intrinsics) keeps its own cause.
    }
  }

  // Frees a slot that never held a registered interaction, and its signal watch.
  #drop(id, slot) {
    this.#settled.release(slot);
    try {
      this.#signals.unwatch(id);
    } catch {
      // The signal's removeEventListener threw; the request already failed for another reason.
    }
  }

  #aborted(ids) {
    if (this.#observer !== null) this.#observer.guard();
    const now = clock();
    let thrown;
    for (const id of ids) {
      const report = native.reject(this.#handle, id, undefined, true, now);
      if (report === null) continue;
      this.#settled.queue(report, undefined);
      if (thrown === undefined && report[0] !== undefined) thrown = report[0];
    }
    this.#settled.apply([thrown, 0], undefined);
  }

  // Called by the deadline timer: settles one chunk of what is due, and re-arms for the rest.
  #expire() {
    if (this.#closed) return;
    if (this.#observer !== null) this.#observer.guard();
    const report = native.expire(this.#handle, clock(), SETTLE_CHUNK);
    const next = report[1];
    try {
      this.#settled.apply(report, undefined);
    } finally {
      if (next >= 0) this.#timer.arm(next);
    }
  }

  resolveInteraction(interactionId, response, requestingSessionId) {
    if (this.#observer !== null) this.#observer.guard();
    const slot = native.resolve(this.#handle, interactionId, response, requestingSessionId, clock());
    if (slot < 0) {
      if (slot === -2) return { success: false, error: 'SESSION_MISMATCH' };
      return this.#invalid(interactionId);
    }
    this.#settled.finish(slot, 'RESOLVED');
    this.#settled.flush();
    return { success: true };
  }

  rejectInteraction(interactionId, reason) {
    if (this.#observer !== null) this.#observer.guard();
    const message = reasonText(reason);
    const report = native.reject(this.#handle, interactionId, message, false, clock());
    if (report === null || report[1] === 0) return this.#invalid(interactionId);
    this.#settled.apply(report, message);
    return { success: true };
  }

  // A late answer learns how its interaction ended, while that is remembered (the last 10k
  // settlements, at most 10 minutes), so the host can say "this prompt already timed out".
  #invalid(interactionId) {
    const now = clock();
    const known = native.settledAs(this.#handle, interactionId, now);
    if (known === null) {
      this.#throttle.warn(`[InteractionManager] Interaction ${describeId(interactionId)} not found or already decided`);
      return { success: false, error: 'invalid_or_decided' };
    }
    // The host ignores the return value: say how it ended.
    this.#throttle.warn(`[InteractionManager] Interaction ${describeId(interactionId)} already ended: ${known.code}`);
    const settledAt = Math.round(Date.now() - (now - known.settledAt));
    return { success: false, error: 'invalid_or_decided', settledAs: known.code, settledAt };
  }

  /**
   * The session's last browser left, maybe only to reload: its interactions stay pending for
   * `graceMs` (default 30 s) and then end with SESSION_REMOVED, unless attachSession comes first.
   */
  detachSession(sessionId, { graceMs = DEFAULT_GRACE_MS } = {}) {
    if (!sessionId || typeof sessionId !== 'string' || this.#closed) return;
    const grace = checkMillis('graceMs', graceMs);
    const now = clock();
    if (native.detach(this.#handle, sessionId, grace, now)) this.#timer.arm(now + grace);
  }

  /** A browser of the session is back: cancels its grace. Returns whether it was detached. */
  attachSession(sessionId) {
    if (!sessionId || typeof sessionId !== 'string') return false;
    return native.attach(this.#handle, sessionId);
  }

  /** Prometheus text exposition: pending by type, sessions, settlements by type and code, the
   * oldest pending age, and a histogram of how long interactions waited. */
  getMetrics() {
    return native.metrics(this.#handle, clock());
  }

  /** Everything getMetrics() shows, as a plain object for any metrics library (see
   * native-interaction-manager/prom-client for prom-client's registry). */
  getMetricsSnapshot() {
    return shapeSnapshot(native.snapshot(this.#handle, clock()));
  }

  /** Restarts the interaction's timeout (the user is busy with it), never past its maxTotalMs. */
  touchInteraction(interactionId) {
    if (native.touch(this.#handle, interactionId, clock()) < 0) return this.#invalid(interactionId);
    return { success: true };
  }

  getPendingInteractions(sessionIds, type = null) {
    return this.#listing.list(this.#handle, this.#settled.slots, sessionIds, type);
  }

  /** Rejects interactions older than staleThresholdMs (STALE): the first chunk now, the rest
   * in later event-loop turns, so a large sweep never stalls the loop. */
  cleanupStaleInteractions() {
    if (this.#closed || this.#sweepStep !== null) return;
    this.#sweep();
  }

  #sweep() {
    this.#sweepStep = null;
    if (this.#closed) return;
    if (this.#observer !== null) this.#observer.guard();
    const report = native.sweepStale(this.#handle, clock(), SETTLE_CHUNK);
    if (report[1] === 1) {
      this.#sweepStep = setImmediate(onSweep, this.#weak);
      this.#sweepStep.unref();
    }
    this.#settled.apply(report, undefined);
  }

  removeSession(sessionId) {
    if (!sessionId || typeof sessionId !== 'string') return;
    if (this.#observer !== null) this.#observer.guard();
    const report = native.removeSession(this.#handle, sessionId, clock());
    this.#log('removeSession', sessionId, report[1]);
    this.#settled.apply(report, undefined);
  }

  getPendingCount() {
    return native.pendingCount(this.#handle);
  }

  getStatistics() {
    return shapeStatistics(native.stats(this.#handle));
  }

  [kFence]() {
    if (this.#closed) return 0;
    const report = native.fence(this.#handle, clock());
    this.#log('fence', report[1]);
    return this.#settled.apply(report, undefined);
  }

  shutdown() {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer.disarm();
    clearInterval(this.#sweeper);
    this.#sweeper = null;
    clearImmediate(this.#sweepStep);
    this.#sweepStep = null;
    const report = native.shutdown(this.#handle, clock());
    this.#log('shutdown', report[1]);
    this.#settled.apply(report, undefined);
  }
}

module.exports = { InteractionManager, kObserve, kRequest, kFence, DEFAULT_GRACE_MS };
