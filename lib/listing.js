'use strict';
// getPendingInteractions: the session ids read once, packed for one native call, and the listed
// slots turned back into fresh plain objects.

const native = require('./native.js');
const { StringPack } = require('./pack.js');

// Longest session id, in UTF-16 units (src/constants.rs): a longer one names no session.
const { MAX_NAME } = native;

class Listing {
  #listed = new Uint32Array(256);
  #names = new StringPack();

  /** The pending interactions of `sessionIds` in the registry `handle`, records by slot. A
   * session named n times is listed n times, as the pure-JS manager does; each distinct id is
   * read, packed and looked up once, so the cost is linear in the input and in the output. */
  list(handle, slots, sessionIds, type) {
    // Read the argument once, into plain strings, before anything else: its getters (or a
    // Proxy's traps) may call back into the manager, and must not do so mid-listing.
    const names = [];
    const order = [];
    const index = new Map();
    if (Array.isArray(sessionIds)) {
      const length = sessionIds.length;
      for (let i = 0; i < length; i++) {
        const s = sessionIds[i];
        if (typeof s !== 'string' || s === '' || s.length > MAX_NAME) continue;
        let at = index.get(s);
        if (at === undefined) {
          at = names.length;
          names.push(s);
          index.set(s, at);
        }
        order.push(at);
      }
    }
    // Then, with no user code left to run, one native call.
    const joined = this.#names.pack(names);
    const lengths = this.#names.lengths(names.length);
    let listed = this.#listed;
    let n = native.list(handle, joined, lengths, names.length, type, listed);
    if (n > listed.length) {
      listed = this.#listed = new Uint32Array(2 ** Math.ceil(Math.log2(n)));
      n = native.list(handle, joined, lengths, names.length, type, listed);
    }
    if (order.length === names.length) {
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = copy(slots[listed[i]]);
      return out;
    }
    // Some ids came more than once: the listing holds each session's run once, in the order of
    // first mention; every mention gets that run again.
    const start = new Array(names.length).fill(0);
    const end = new Array(names.length).fill(0);
    for (let i = 0; i < n; ) {
      const at = index.get(slots[listed[i]].sessionId);
      if (at === undefined) {
        i++; // cannot happen: a listed record is of a session asked for
        continue;
      }
      start[at] = i;
      while (i < n && slots[listed[i]].sessionId === names[at]) i++;
      end[at] = i;
    }
    const out = [];
    for (const at of order) {
      for (let i = start[at]; i < end[at]; i++) out.push(copy(slots[listed[i]]));
    }
    return out;
  }
}

const copy = (r) => ({ id: r.id, type: r.type, sessionId: r.sessionId, data: r.data, metadata: r.metadata, requestedAt: r.requestedAt });

module.exports = { Listing };
