'use strict';
// The one deadline timer of a manager: armed at the earliest deadline, unref'd so it never holds
// the process open, and holding its manager only weakly so a dropped manager stays collectable.

// setTimeout treats longer delays as 1 ms.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

// The one clock: `performance.now()` read from the global at every call, so a host's fake
// timers (jest.useFakeTimers, @sinonjs/fake-timers) move deadlines exactly as they move timers.
const clock = () => performance.now();

let fire;

class DeadlineTimer {
  #handle = null;
  #at = Infinity;
  #owner;
  #due;

  /**
   * @param {WeakRef<object>} owner what the timer is for, held weakly
   * @param {(owner: object) => void} due called when the armed deadline is reached; a plain
   *   function, not a closure over the owner (which would hold it strongly)
   */
  constructor(owner, due) {
    this.#owner = owner;
    this.#due = due;
  }

  /** Fires at `deadline` (clock time) unless armed for an earlier one already. */
  arm(deadline) {
    if (deadline >= this.#at) return;
    this.disarm();
    this.#at = deadline;
    const delay = Math.min(Math.max(0, Math.ceil(deadline - clock())), MAX_TIMER_DELAY);
    if (delay === 0) {
      // Already due: settle in the next turn. This one stays ref'd, or an idle loop would
      // sleep through it; it holds the process only while due settlements are processed.
      this.#handle = setImmediate(fire, this);
    } else {
      this.#handle = setTimeout(fire, delay, this);
      this.#handle.unref();
    }
  }

  disarm() {
    if (this.#handle === null) return;
    clearTimeout(this.#handle);
    clearImmediate(this.#handle);
    this.#handle = null;
    this.#at = Infinity;
  }

  static {
    fire = (timer) => timer.#fire();
  }

  #fire() {
    this.#handle = null;
    this.#at = Infinity;
    const owner = this.#owner.deref();
    if (owner !== undefined) this.#due(owner);
  }
}

module.exports = { DeadlineTimer, clock, MAX_TIMER_DELAY };
