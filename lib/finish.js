'use strict';
// The one finish path in JS. Each interaction's JS objects live in a slot from its request to
// its settlement; the binding settles promises and reports which slots it settled
// (`[thrown, extra, slot, code, slot, code, ...]`); here every reported settlement frees its slot
// and queues its event, and only then are the events emitted, so a throwing listener, logger or
// error factory can lose neither a freeing nor another event: what host code throws is noted
// and thrown once the call's work is done.

const { CODES, MESSAGES, settlementError } = require('./errors.js');

class Settlements {
  // What the error factory reads and writes, apart from the rest: the native side holds the
  // factory, and through this object it must not reach the manager (the announce callback).
  #core = { slots: [], lastMade: undefined };
  #free = [];
  // Settled records whose events are still to be emitted: record, code, message, ...
  #outbox = [];
  // Reports not yet finished: normally empty again before the call that got one returns; a call
  // that ran out of stack halfway leaves the rest for the next call.
  #reports = [];
  // What host code threw meanwhile, thrown by `rethrow` once the call's work is done.
  #failures = [];
  #announce;

  /** @param {(record, code, reason, at) => void} announce emits one settlement's event */
  constructor(announce) {
    this.#announce = announce;
  }

  /** Records by slot (read by listing and by the error factory). */
  get slots() {
    return this.#core.slots;
  }

  /** The last error the factory made, for the caller that needs it (a refusal, a cause). */
  get lastMade() {
    return this.#core.lastMade;
  }

  set lastMade(error) {
    this.#core.lastMade = error;
  }

  /** The error factory the binding calls for every rejection; it settles the promise with what
   * this returns, or with a fallback error of its own when it throws. It only reads: freeing
   * and queueing happen after the binding returns. It closes over the slots alone, so a dropped
   * manager stays collectable. */
  errorFactory() {
    const core = this.#core;
    return (code, message, slot, settled, retry) => {
      const error = settlementError(code, message, settled ? core.slots[slot].id : undefined, retry);
      core.lastMade = error;
      return error;
    };
  }

  /** A slot for a record about to be registered. */
  take(record) {
    const slot = this.#free.length > 0 ? this.#free.pop() : this.slots.length;
    this.slots[slot] = record;
    return slot;
  }

  release(slot) {
    this.slots[slot] = undefined;
    this.#free.push(slot);
  }

  /** Frees the slot and queues its event; `reason` is a REJECTED's own text. */
  finish(slot, code, reason) {
    const record = this.slots[slot];
    if (record === undefined) return; // finished by an earlier attempt
    this.#outbox.push(record, code, code === 'REJECTED' ? reason : MESSAGES[code]);
    this.release(slot);
  }

  /** `finish`, `flush` and `rethrow` of one settlement: an answer's path. With nothing else
   * queued, its event goes out without the outbox (whose push and splice were 2 % of a cycle). */
  finishNow(slot, code) {
    if (this.#outbox.length > 0 || this.#reports.length > 0) {
      this.finish(slot, code);
      this.flush();
    } else {
      const record = this.slots[slot];
      if (record === undefined) return;
      this.release(slot);
      this.#compact();
      this.#emit(record, code, MESSAGES[code], Date.now());
    }
    if (this.#failures.length > 0) this.rethrow();
  }

  /** Keeps a report to finish with the next `apply` or `flush`. */
  queue(report, reason) {
    this.#reports.push({ report, reason, at: 2 });
  }

  #finishReports() {
    const queue = this.#reports;
    while (queue.length > 0) {
      const r = queue[0];
      while (r.at < r.report.length) {
        this.finish(r.report[r.at], CODES[r.report[r.at + 1]], r.reason);
        r.at += 2;
      }
      queue.shift();
    }
  }

  /** Finishes every settlement of a report, emits their events, then throws what the error
   * factory, a listener or a logger threw. Returns the report's `extra`. */
  apply(report, reason) {
    this.queue(report, reason);
    this.#finishReports();
    this.lastMade = undefined;
    if (report[0] !== undefined) this.note(report[0]);
    this.flush();
    this.rethrow();
    return report[1];
  }

  /** Keeps an error that host code (a listener, a logger, the error factory) threw, to throw
   * once everything of the call is done. */
  note(err) {
    this.#failures.push(err);
  }

  /** Throws the first error noted since the last time (the rest are dropped: one call throws
   * one error, and the first is the one that explains the others). */
  rethrow() {
    const failures = this.#failures;
    if (failures.length === 0) return;
    this.#failures = [];
    throw failures[0];
  }

  /** Emits the queued events. Every event is emitted even if a listener throws; what they
   * throw is noted for `rethrow`. */
  flush() {
    if (this.#reports.length > 0) this.#finishReports();
    const outbox = this.#outbox;
    if (outbox.length === 0) return;
    const batch = outbox.splice(0);
    this.#compact();
    const at = Date.now();
    for (let i = 0; i < batch.length; i += 3) this.#emit(batch[i], batch[i + 1], batch[i + 2], at);
  }

  // One event; what its listeners or the logger throw is noted for `rethrow`.
  #emit(record, code, reason, at) {
    try {
      this.#announce(record, code, reason, at);
    } catch (err) {
      this.note(err);
    }
  }

  // After a burst, give back the arrays' memory once every slot is free again.
  #compact() {
    const slots = this.slots;
    if (this.#free.length === slots.length && slots.length > 1024) {
      slots.length = 0;
      this.#free.length = 0;
    }
  }
}

module.exports = { Settlements };
