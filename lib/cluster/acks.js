'use strict';
// Answers this process routed to their owner, each waiting for the owner's acknowledgement (the
// owner's registry decides; `{ success: true }` only once it settled the promise with this very
// answer). An owner that does not acknowledge in time is reported as unreachable.

class Acks {
  #waiting = new Map(); // ticket -> { done, timer }
  #next = 0;
  #waitMs;

  constructor(waitMs) {
    this.#waitMs = waitMs;
  }

  /** A new ticket and the promise of its acknowledgement (or of OWNER_UNREACHABLE). */
  open() {
    const ticket = String((this.#next = (this.#next + 1) >>> 0));
    const acked = new Promise((done) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(ticket);
        done({ success: false, error: 'OWNER_UNREACHABLE' });
      }, this.#waitMs);
      this.#waiting.set(ticket, { done, timer });
    });
    return { ticket, acked };
  }

  /** The answer was not routed after all: nobody will acknowledge it. */
  drop(ticket) {
    const waiting = this.#waiting.get(ticket);
    if (waiting === undefined) return;
    this.#waiting.delete(ticket);
    clearTimeout(waiting.timer);
  }

  /** The owner's acknowledgement: the result it answered. A late one (the wait is over) is ignored. */
  settle(ticket, result) {
    const waiting = this.#waiting.get(ticket);
    if (waiting === undefined) return;
    this.#waiting.delete(ticket);
    clearTimeout(waiting.timer);
    waiting.done(result);
  }
}

module.exports = { Acks };
