'use strict';
// getPendingInteractions: the session ids read once, packed for one native call, and the listed
// slots turned back into fresh plain objects.

const native = require('./native.js');
const { StringPack } = require('./pack.js');

class Listing {
  #listed = new Uint32Array(256);
  #names = new StringPack();

  /** The pending interactions of `sessionIds` in the registry `handle`, records by slot. */
  list(handle, slots, sessionIds, type) {
    // Read the argument once, into plain strings, before anything else: its getters (or a
    // Proxy's traps) may call back into the manager, and must not do so mid-listing.
    const names = [];
    if (Array.isArray(sessionIds)) {
      const length = sessionIds.length;
      for (let i = 0; i < length; i++) {
        const s = sessionIds[i];
        if (typeof s === 'string') names.push(s);
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
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = slots[listed[i]];
      out[i] = { id: r.id, type: r.type, sessionId: r.sessionId, data: r.data, metadata: r.metadata, requestedAt: r.requestedAt };
    }
    return out;
  }
}

module.exports = { Listing };
