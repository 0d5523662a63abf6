'use strict';
// Other processes' events, each emitted here once. A write whose reply was lost when its
// connection broke is replayed, and a replayed publish or ending adds its event to the stream a
// second time; so does a record republished after an outage. A duplicate comes within the
// replay window, far fewer events apart than the ids remembered here.

const REMEMBERED = 10_000;

class Heard {
  #requested = new Set();
  #ended = new Set();

  /** Whether event `name` (its payload `event`) is the first of its kind for its interaction:
   * an ending once, a request once and never after its ending. Other events always are. */
  first(name, event) {
    const ending = name === 'interaction-resolved' || name === 'interaction-rejected';
    if (!ending && name !== 'interaction-request') return true;
    const id = event === null || typeof event !== 'object' ? undefined : ending ? event.interactionId : event.id;
    if (typeof id !== 'string') return true;
    if (this.#ended.has(id) || (!ending && this.#requested.has(id))) return false;
    const seen = ending ? this.#ended : this.#requested;
    seen.add(id);
    if (ending) this.#requested.delete(id);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value);
    return true;
  }

  /** Emits the event on `emitter` if it is the first of its kind (`first`). */
  emitFirst(emitter, name, event) {
    if (this.first(name, event)) emitter.emit(name, event);
  }
}

module.exports = { Heard, REMEMBERED };
