'use strict';
// Where the manager's lines go. The default keeps the legacy warning for unknown ids on
// console.warn and debug lines behind NODE_DEBUG=interactions (util.debuglog), or the legacy
// DEBUG=interactions switch on console.log. Lines that the network can trigger (unknown ids,
// late answers) go through a throttle: at most one per 10 s, saying how many were held back.

const { debuglog } = require('node:util');

const THROTTLE_MS = 10_000;

function defaultLogger() {
  const legacy = /(^|[,\s])interactions($|[,\s])/.test(process.env.DEBUG || '');
  const debug = legacy ? (...args) => console.log('[InteractionManager]', ...args) : debuglog('interactions');
  return {
    // util.debuglog's function tells whether it is on; legacy DEBUG is on by definition.
    debugEnabled: legacy || debug.enabled === true,
    logger: { debug, warn: (...args) => console.warn(...args), error: (...args) => console.error(...args) },
  };
}

class Throttle {
  #logger;
  #last = -Infinity;
  #held = 0;

  constructor(logger) {
    this.#logger = logger;
  }

  /** Writes `line` (and `more`, as the logger's further arguments) unless one was written in
   * the last 10 s; then counts it for the next. */
  warn(line, ...more) {
    const now = Date.now();
    if (now - this.#last < THROTTLE_MS) {
      this.#held++;
      return;
    }
    const held = this.#held;
    this.#held = 0;
    this.#last = now;
    this.#logger.warn(held > 0 ? `${line} (and ${held} such warnings since the previous line, not written)` : line, ...more);
  }
}

module.exports = { defaultLogger, Throttle, THROTTLE_MS };
