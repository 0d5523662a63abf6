'use strict';
// Abort tracking: one listener per AbortSignal, however many interactions share it, removed
// with the last of them.

/** Whether `s` has everything the manager calls on a signal (checked before registering). */
function isSignal(s) {
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function' &&
    typeof s.removeEventListener === 'function'
  );
}

class SignalWatch {
  #signals = new Map(); // signal -> { onAbort, ids: Set }
  #signalOf = new Map(); // id -> signal
  #aborted;

  /** @param {(ids: Set<string>) => void} aborted called with the ids of a signal that aborted */
  constructor(aborted) {
    this.#aborted = aborted;
  }

  /** How many interactions are watched. */
  get size() {
    return this.#signalOf.size;
  }

  watch(id, signal) {
    let watched = this.#signals.get(signal);
    if (watched === undefined) {
      const onAbort = () => this.#fire(signal);
      signal.addEventListener('abort', onAbort, { once: true });
      watched = { onAbort, ids: new Set() };
      this.#signals.set(signal, watched);
    }
    watched.ids.add(id);
    this.#signalOf.set(id, signal);
  }

  /** Stops watching `id`; removes the signal's listener with its last interaction. */
  unwatch(id) {
    const signal = this.#signalOf.get(id);
    if (signal === undefined) return;
    this.#signalOf.delete(id);
    const watched = this.#signals.get(signal);
    if (watched === undefined) return;
    watched.ids.delete(id);
    if (watched.ids.size > 0) return;
    this.#signals.delete(signal);
    signal.removeEventListener('abort', watched.onAbort);
  }

  #fire(signal) {
    const watched = this.#signals.get(signal);
    if (watched === undefined) return;
    this.#signals.delete(signal);
    for (const id of watched.ids) this.#signalOf.delete(id);
    this.#aborted(watched.ids);
  }
}

module.exports = { SignalWatch, isSignal };
