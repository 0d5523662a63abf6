'use strict';
// Calls that need Redis, and their answers: started on the native link, answered later through
// the deliveries (`reply`, or the failure's code). While an answer is due, a timer keeps the process alive (as
// any pending I/O would) and bounds the wait: commands time out after 2 s on the native side,
// so this one only fires on a bug.

const native = require('../native.js');
const { ClusterError } = require('../errors.js');

// Longest wait for a native call's answer (4 s for close on the native side).
const CALL_TIMEOUT_MS = 10_000;

// Where the claim script sent an answer (src/cluster/scripts.rs).
const { ClaimOutcome } = native;

// A claim's or a touch's answer (src/cluster/mod.rs `outcome`): its ClaimOutcome, then when the
// reaper ended the interaction, if it did.
function outcomeOf(reply) {
  const [n, at] = String(reply).split(':');
  return { outcome: Number(n), settledAt: at === undefined ? undefined : Number(at) };
}

// The answer to a late answer or touch of an interaction whose owner died, as single-process
// mode answers one it remembers the settlement of.
function ownerGone(settledAt) {
  const late = { success: false, error: 'invalid_or_decided', settledAs: 'OWNER_GONE' };
  return settledAt === undefined ? late : { ...late, settledAt };
}

// A failed call as a ClusterError: its code is the native error's own `code` field.
function unavailable(err) {
  if (err instanceof ClusterError) return err;
  const code = err && err.code === 'REDIS_ERROR' ? 'REDIS_ERROR' : 'REDIS_UNAVAILABLE';
  return new ClusterError(`Redis: ${String((err && err.message) || err)}`, code);
}

class Calls {
  #waiting = new Map(); // call id -> { resolve, reject, timer }
  #next = 0;
  #link;

  constructor(link) {
    this.#link = link;
  }

  /** `link[method](callId, ...args)`, and the promise of its answer. */
  call(method, ...args) {
    return this.within(CALL_TIMEOUT_MS, method, ...args);
  }

  within(ms, method, ...args) {
    const call = (this.#next = (this.#next + 1) >>> 0);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(call);
        reject(new ClusterError(`Redis: no answer to ${method} within ${ms} ms`, 'REDIS_UNAVAILABLE'));
      }, ms);
      this.#waiting.set(call, { resolve, reject, timer });
      try {
        this.#link[method](call, ...args);
      } catch (err) {
        clearTimeout(timer);
        this.#waiting.delete(call);
        reject(err);
      }
    });
  }

  /** A call's answer: its value, or (`ok` false) the error it failed with. */
  answered(call, ok, value) {
    const pending = this.#waiting.get(Number(call));
    if (pending === undefined) return;
    this.#waiting.delete(Number(call));
    clearTimeout(pending.timer);
    if (ok) pending.resolve(value);
    else pending.reject(value);
  }
}

module.exports = { Calls, CALL_TIMEOUT_MS, ClaimOutcome, outcomeOf, ownerGone, unavailable };
