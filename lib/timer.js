'use strict';
// The one deadline timer of a manager: armed at the earliest deadline, unref'd so it never holds
// the process open, and holding its manager only weakly so a dropped manager stays collectable.
// It is a signal, not the judge: when it fires, everything it was armed for is due, whatever the
// clock says (a stubbed `performance.now`, fake timers that fake `setTimeout` alone), and a timer
// that a fake-timer library dropped (cleared, reset, uninstalled) is noticed and armed again.

const { AsyncResource } = require('node:async_hooks');

// setTimeout treats longer delays as 1 ms.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

// The one clock: `performance.now()` read from the global at every call, so a host's fake
// timers (jest.useFakeTimers, @sinonjs/fake-timers) move deadlines exactly as they move timers.
// It never goes back: a fake clock that is reset (jest.clearAllTimers, sinon's clock.reset) or
// installed after real time passed starts from where the clock was, and moves on by its own
// steps from there. `reach(at)` moves it on to a deadline whose timer fired early by its lights.
let offset = 0;
let last = -Infinity;
// Counts the steps of `offset`: a timer made before one was made on another clock.
let epoch = 0;
const clock = () => {
  const now = performance.now() + offset;
  if (now >= last) return (last = now);
  offset += last - now;
  epoch++;
  return last;
};
const reach = (at) => {
  const now = clock();
  if (at > now && at !== Infinity) {
    offset += at - now;
    epoch++;
    last = at;
  }
};

let fire;

class DeadlineTimer {
  #handle = null;
  #at = Infinity;
  // What the armed timer was made with, to notice it is gone: the setTimeout of the moment
  // (fake-timer libraries install and uninstall their own) and the clock's epoch (a fake clock
  // that was reset went back, and took its timers with it).
  #madeWith = null;
  #madeIn = 0;
  #arming = null;
  #immediate = false;
  #owner;
  #due;
  // Timers are armed in the context the manager was made in: a timer armed during one request
  // must not keep that request's AsyncLocalStorage store alive, nor run the next one's endings in it.
  #scope = new AsyncResource('InteractionManagerTimer', { requireManualDestroy: true });

  /**
   * @param {WeakRef<object>} owner what the timer is for, held weakly
   * @param {(owner: object, at: number) => void} due called with the deadline the timer was
   *   armed for, once reached; a plain function, not a closure over the owner (which would hold
   *   it strongly)
   */
  constructor(owner, due) {
    this.#owner = owner;
    this.#due = due;
  }

  /** The deadline armed for (clock time), or Infinity. */
  get at() {
    return this.#at;
  }

  /** Fires at `deadline` (clock time) unless armed for an earlier one that is still alive. */
  arm(deadline) {
    if (deadline >= this.#at && this.alive()) return;
    const at = Math.min(deadline, this.#at);
    // The deadline is known before any host function runs: if clearing the old timer or making
    // the new one throws, the next API call finds no live timer for it and tries again.
    this.#at = at;
    this.#clear();
    this.#scope.runInAsyncScope(this.#make, this, at);
  }

  /** Whether the armed timer will still fire. A Node.js timer says so itself; a fake-timer
   * library's may be gone without a trace, so one is re-made whenever asked. `clockRead`: the
   * caller read the clock just now, so the epoch is current (one `performance.now()` less). */
  alive(clockRead = false) {
    if (this.#handle === null) return false;
    if (!clockRead) clock();
    return this.#fires();
  }

  /** Whether a deadline is armed whose timer will not fire; the caller read the clock just now
   * (every API call asks this). */
  lost() {
    return this.#at !== Infinity && !this.#fires();
  }

  // The handle is the one made now, with the setTimeout of the moment and on the clock's epoch,
  // and Node.js has not dropped it.
  #fires() {
    const handle = this.#handle;
    return handle !== null && this.#madeWith === globalThis.setTimeout && epoch === this.#madeIn && typeof handle === 'object' && handle._destroyed === false;
  }

  #make(at) {
    // Less a microsecond: `now + 1000 - now` can come out 1000.000000000006, and a timer of
    // 1001 ms would not fire when a fake clock is moved on by the 1000 it was asked for. One
    // that fires that much early is still the signal: what it was armed for ends.
    const delay = Math.min(Math.max(0, Math.ceil(at - clock() - 1e-3)), MAX_TIMER_DELAY);
    // Each timer fires with what it was armed for; one that could not be cleared (the host's
    // clearTimeout threw) still fires with its own deadline, and is then only a signal.
    const arming = { timer: this, at };
    this.#madeWith = globalThis.setTimeout;
    this.#madeIn = epoch;
    if (delay === 0 && typeof setImmediate === 'function') {
      // Already due: settle in the next turn. This one stays ref'd, or an idle loop would
      // sleep through it; it holds the process only while due settlements are processed.
      this.#handle = setImmediate(fire, arming);
      this.#immediate = true;
    } else {
      const handle = setTimeout(fire, delay, arming);
      this.#handle = handle;
      this.#immediate = false;
      // jsdom, happy-dom and polyfills return a number, with nothing to unref.
      if (handle !== null && typeof handle === 'object' && typeof handle.unref === 'function') handle.unref();
    }
    this.#arming = arming;
  }

  // Drops the armed timer, if any; forgets it first, so that a clearTimeout that throws leaves
  // no timer taken for alive.
  #clear() {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    this.#arming = null;
    // Each with its own: Node's clearImmediate throws for a number (a jsdom timer id).
    if (this.#immediate) clearImmediate(handle);
    else clearTimeout(handle);
  }

  disarm() {
    this.#at = Infinity;
    this.#clear();
  }

  static {
    fire = (arming) => arming.timer.#fire(arming);
  }

  #fire(arming) {
    const owner = this.#owner.deref();
    if (arming === this.#arming) {
      this.#handle = null;
      this.#arming = null;
      this.#at = Infinity;
    }
    if (owner === undefined) return;
    reach(arming.at);
    this.#due(owner);
  }
}

module.exports = { DeadlineTimer, clock, MAX_TIMER_DELAY };
