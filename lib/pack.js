'use strict';
// Many strings for the binding in one call: one joined string and their UTF-16 lengths (one
// native call instead of one per string; the binding cuts them apart again).

class StringPack {
  #lengths = new Uint32Array(64);

  /** Joins `strings`; `lengths(strings.length)` then holds their lengths. */
  pack(strings) {
    const n = strings.length;
    if (this.#lengths.length < n) this.#lengths = new Uint32Array(2 ** Math.ceil(Math.log2(n)));
    const lengths = this.#lengths;
    let joined = '';
    for (let i = 0; i < n; i++) {
      lengths[i] = strings[i].length;
      joined += strings[i];
    }
    return joined;
  }

  /** The lengths of the last `pack`, as a view of its first `n`. */
  lengths(n) {
    return this.#lengths.subarray(0, n);
  }
}

module.exports = { StringPack };
