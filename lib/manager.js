'use strict';
// InteractionManager: the public face of one process's registry. An EventEmitter that shapes
// arguments, keeps each interaction's JS objects in a slot, and emits events; the registry, ids,
// deadlines and promises live in Rust (native.js).

const { EventEmitter } = require('node:events');
// Read at each request, not destructured at load: a host's test may mock it after loading us.
const nodeCrypto = require('node:crypto');
const native = require('./native.js');
const { readOptions, checkMillis } = require('./options.js');
const { readRequest, waitOf } = require('./request.js');
const { recordOf, endName, endEvent } = require('./record.js');
const { Listing } = require('./listing.js');
const { defaultLogger, Throttle } = require('./logging.js');
const { shapeSnapshot, shapeStatistics } = require('./snapshot.js');
const { MESSAGES, CODES, InteractionError, reasonText } = require('./errors.js');
const { Settlements } = require('./finish.js');
const { endSlots, endDue, abortEach, listenerFailed, lateAnswer } = require('./endings.js');
const { SignalWatch } = require('./signals.js');
const { DeadlineTimer, clock, MAX_TIMER_DELAY } = require('./timer.js');

// Interactions settled per event-loop turn by expiry and by the stale sweep, so that 100k
// endings at once do not stall the loop: with 500, the longest stall measured here was 7-11 ms
// (npm run bench; the target is 20 ms).
const SETTLE_CHUNK = 500;
const { DEFAULT_GRACE_MS } = native;
const CODE = Object.fromEntries(CODES.map((code, i) => [code, i]));

const { kObserve, kRequest, kFence } = require('./hooks.js');

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
  #hostLogger = false;
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
      this.#hostLogger = true;
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

  // A logger that throws (a destroyed pino destination) must not cost an event or a
  // settlement: its error is noted and thrown once the call's work is done.
  #log(...args) {
    if (!this.#debug) return;
    try {
      this.#logger.debug(...args);
    } catch (err) {
      this.#settled.note(err);
    }
  }

  // One settled interaction's event, to this object's listeners or cluster mode's observer.
  #announce(record, code, reason, at) {
    if (this.#signals.size > 0) {
      try {
        this.#signals.unwatch(record.id);
      } catch (err) {
        this.#settled.note(err); // the signal's removeEventListener threw
      }
    }
    // The log line first: #log keeps what the logger throws, so the event is emitted whatever
    // it does (a try/finally around the emit instead cost 2 % of a cycle on Node 24).
    if (code === 'RESOLVED') this.#log('resolved', record.id);
    else this.#log('rejected', record.id, code);
    const name = endName(code);
    const event = endEvent(record, code, reason, at);
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

  // Everything that can fail, host code included (the logger, the timer functions, the
  // signal's addEventListener, randomUUID), runs before the interaction is registered; once it
  // is, this returns its promise whatever listeners do.
  #request(request, tag) {
    if (this.#observer !== null) this.#observer.guard();
    const { type, sessionId, data, metadata, timeout, maxTotal, abortSignal } = readRequest(request, this.#timeoutMs);
    if (abortSignal !== undefined && abortSignal.aborted) return Promise.reject(new InteractionError(MESSAGES.ABORTED, 'ABORTED'));
    const now = clock();
    this.#catchUp(now);

    const id = nodeCrypto.randomUUID();
    const requestedAt = Date.now();
    // Whether anything hears a timeout in the request's async context (record.js).
    const scoped = this.#hostLogger || this.#observer !== null || this.listenerCount('interaction-rejected') > 0;
    const record = recordOf(id, type, sessionId, data, metadata, requestedAt, scoped);
    // Not through #log: what the logger throws here is the caller's, before anything is registered.
    if (this.#debug) this.#logger.debug('request', id, type, sessionId);
    const slot = this.#settled.take(record);
    let made;
    try {
      if (abortSignal !== undefined) this.#signals.watch(id, abortSignal);
      const wait = waitOf(timeout, maxTotal);
      // #catchUp just found the timer alive or armed it again: only an earlier deadline re-arms
      // (asking the timer again was 3 % of a cycle).
      if (now + wait < this.#timer.at) this.#timer.arm(now + wait);
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
    try {
      const event = { id, type, sessionId, data, metadata, requestedAt };
      if (this.#observer === null) this.emit('interaction-request', event);
      else this.#observer.requested(event, tag);
    } catch (err) {
      try {
        listenerFailed(this.#handle, this.#settled, id, err, clock());
      } catch {
        // Out of stack even for that: the interaction stays pending, its promise the caller's.
      }
    }
    return made;
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
    abortEach(this.#handle, this.#settled, ids, clock());
    this.#settled.rethrow();
  }

  // What the timer was for, ended: called by the deadline timer (errors go to the process's
  // uncaught-exception path, as a timer's do) and by API calls that find it overdue.
  #expire() {
    if (this.#closed) return;
    if (this.#observer !== null) this.#observer.guard();
    const now = clock();
    const due = native.due(this.#handle, now, SETTLE_CHUNK);
    try {
      endDue(this.#handle, this.#settled, due, now);
    } finally {
      const next = native.nextDeadline(this.#handle);
      if (next >= 0) this.#timer.arm(next);
    }
    this.#settled.rethrow();
  }

  // Every API call first checks the timer: when it is gone (a fake-timer library cleared,
  // reset or uninstalled it), what is overdue ends now and the timer is armed again. A live
  // timer is left to fire: ending its interactions inside an unrelated call would run their
  // listeners there. What host code throws meanwhile goes where the timer's errors would have
  // gone, not to this caller.
  #catchUp(now) {
    if (!this.#timer.lost()) return;
    const at = this.#timer.at;
    if (at > now) {
      this.#timer.arm(at);
      return;
    }
    try {
      this.#expire();
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  resolveInteraction(interactionId, response, requestingSessionId) {
    if (this.#observer !== null) this.#observer.guard();
    const now = clock();
    this.#catchUp(now);
    const slot = native.resolve(this.#handle, interactionId, response, requestingSessionId, now);
    if (slot < 0) {
      if (slot === -2) return { success: false, error: 'SESSION_MISMATCH' };
      return lateAnswer(this.#handle, this.#throttle, interactionId, clock());
    }
    this.#settled.finishNow(slot, 'RESOLVED');
    return { success: true };
  }

  rejectInteraction(interactionId, reason) {
    if (this.#observer !== null) this.#observer.guard();
    const now = clock();
    this.#catchUp(now);
    const message = reasonText(reason);
    const report = native.reject(this.#handle, interactionId, message, false, now);
    if (report === null || report[1] === 0) return lateAnswer(this.#handle, this.#throttle, interactionId, clock());
    this.#settled.apply(report, message);
    return { success: true };
  }

  /**
   * The session's last browser left, maybe only to reload: its interactions stay pending for
   * `graceMs` (default 30 s) and then end with SESSION_REMOVED, unless attachSession comes first.
   */
  detachSession(sessionId, { graceMs = DEFAULT_GRACE_MS } = {}) {
    if (!sessionId || typeof sessionId !== 'string' || this.#closed) return;
    const grace = checkMillis('graceMs', graceMs);
    const now = clock();
    this.#catchUp(now);
    // Armed first: a timer function that throws then leaves nothing registered.
    this.#timer.arm(now + grace);
    native.detach(this.#handle, sessionId, grace, now);
  }

  /** A browser of the session is back: cancels its grace. Returns whether it was detached. */
  attachSession(sessionId) {
    if (!sessionId || typeof sessionId !== 'string') return false;
    this.#catchUp(clock());
    return native.attach(this.#handle, sessionId);
  }

  /** Prometheus text exposition: pending by type, sessions, settlements by type and code, the
   * oldest pending age, and a histogram of how long interactions waited. */
  getMetrics() {
    const now = clock();
    this.#catchUp(now);
    return native.metrics(this.#handle, now);
  }

  /** Everything getMetrics() shows, as a plain object for any metrics library (see
   * native-interaction-manager/prom-client for prom-client's registry). */
  getMetricsSnapshot() {
    const now = clock();
    this.#catchUp(now);
    return shapeSnapshot(native.snapshot(this.#handle, now));
  }

  /** Restarts the interaction's timeout (the user is busy with it), never past its maxTotalMs. */
  touchInteraction(interactionId) {
    const now = clock();
    this.#catchUp(now);
    if (native.touch(this.#handle, interactionId, now) < 0) return lateAnswer(this.#handle, this.#throttle, interactionId, clock());
    return { success: true };
  }

  getPendingInteractions(sessionIds, type = null) {
    this.#catchUp(clock());
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
    const now = clock();
    const picked = native.staleDue(this.#handle, now, SETTLE_CHUNK);
    const more = picked[picked.length - 1] === 1;
    if (more) {
      this.#sweepStep = setImmediate(onSweep, this.#weak);
      this.#sweepStep.unref();
    }
    endSlots(this.#handle, this.#settled, picked, picked.length - 1, CODE.STALE, now);
    this.#settled.rethrow();
  }

  removeSession(sessionId) {
    if (!sessionId || typeof sessionId !== 'string') return;
    if (this.#observer !== null) this.#observer.guard();
    const now = clock();
    this.#catchUp(now);
    const slots = native.sessionSlots(this.#handle, sessionId);
    const ended = endSlots(this.#handle, this.#settled, slots, slots.length, CODE.SESSION_REMOVED, now);
    this.#log('removeSession', sessionId, ended);
    this.#settled.rethrow();
  }

  getPendingCount() {
    this.#catchUp(clock());
    return native.pendingCount(this.#handle);
  }

  getStatistics() {
    this.#catchUp(clock());
    return shapeStatistics(native.stats(this.#handle));
  }

  [kFence]() {
    if (this.#closed) return 0;
    const slots = native.pendingSlots(this.#handle, false);
    const ended = endSlots(this.#handle, this.#settled, slots, slots.length, CODE.OWNER_GONE, clock());
    this.#log('fence', ended);
    this.#settled.rethrow();
    return ended;
  }

  shutdown() {
    if (this.#closed) return;
    this.#closed = true;
    const slots = native.pendingSlots(this.#handle, true);
    const ended = endSlots(this.#handle, this.#settled, slots, slots.length, CODE.SHUTDOWN, clock());
    // The timers stop after the endings: a timer function that throws must not keep them.
    const sweeper = this.#sweeper;
    const sweepStep = this.#sweepStep;
    this.#sweeper = null;
    this.#sweepStep = null;
    for (const stop of [() => this.#timer.disarm(), () => clearInterval(sweeper), () => clearImmediate(sweepStep)]) {
      try {
        stop();
      } catch (err) {
        this.#settled.note(err);
      }
    }
    this.#log('shutdown', ended);
    this.#settled.rethrow();
  }
}

module.exports = { InteractionManager, kObserve, kRequest, kFence, DEFAULT_GRACE_MS };
