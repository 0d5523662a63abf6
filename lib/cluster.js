'use strict';
// ClusterInteractionManager: several host processes, one set of interactions, through Redis.
// Each process keeps its own interactions (promises, deadlines, signals) in a local
// InteractionManager; the native RedisLink (src/cluster/) mirrors them in Redis, claims answers
// atomically there, routes them to the owner's inbox stream and brings back the other processes'
// events. This file only shapes arguments and forwards events.

const { EventEmitter } = require('node:events');
const { randomUUID } = require('node:crypto');
const { checkMillis, readOptions } = require('./options.js');

const NO_TIMEOUT_TTL_MS = 24 * 60 * 60 * 1000;
// Longest wait for a native call's answer: its commands give up after 2 s (4 s for close).
const CALL_TIMEOUT_MS = 10_000;
const CONSTRUCTING = Symbol('connect');

// Who may answer an interaction, as the claim script compares it (the registry's Owner).
function sessionKey(sessionId) {
  if (typeof sessionId === 'string') return sessionId === '' ? 'e' : `s${sessionId}`;
  return sessionId === null ? 'n' : 'u';
}

// The answerer: '' answers as anyone (no session given), as the local manager does.
function askerKey(asker) {
  if (asker === undefined) return '';
  if (typeof asker === 'string' || asker === null) return sessionKey(asker);
  return 'x';
}

// `"data":...,"metadata":...` of a request, as JSON, with the semantics of JSON.stringify (and of
// the host's WebSocket messages): functions, symbols and undefined members are left out. What
// JSON cannot hold (a BigInt, a cycle, a throwing toJSON) is a TypeError that says so.
// `metadata.abortSignal` stays local.
function shareable(request) {
  let { data, metadata } = request;
  if (metadata === undefined) metadata = {};
  else if (metadata !== null && typeof metadata === 'object' && metadata.abortSignal !== undefined) metadata = { ...metadata, abortSignal: undefined };
  let json;
  try {
    json = JSON.stringify({ data, metadata });
  } catch (err) {
    throw new TypeError(`cluster mode: data or metadata cannot be serialised to JSON (${err && err.message}); they must cross processes`);
  }
  // `{"data":...,"metadata":...}` without its braces.
  return json.slice(1, -1);
}

function toJson(what, value) {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new TypeError(`cluster mode: the ${what} cannot be serialised to JSON (${err && err.message}); it must cross processes`);
  }
}

function parse(json) {
  return json === '' ? undefined : JSON.parse(json);
}

function checkUrl(url) {
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    throw new TypeError('ClusterInteractionManager.connect: redisUrl must be a redis:// or rediss:// URL');
  }
  return url;
}

// `tls: { ca }`: the CA certificate(s) (PEM) a rediss:// server is checked against, instead of
// the system's store.
function checkTls(tls, url) {
  if (tls === undefined) return undefined;
  const ca = tls !== null && typeof tls === 'object' ? tls.ca : undefined;
  if (typeof ca !== 'string' && !Buffer.isBuffer(ca)) {
    throw new TypeError('ClusterInteractionManager.connect: tls must be { ca: <PEM string or Buffer> }');
  }
  if (!url.startsWith('rediss://')) throw new TypeError('ClusterInteractionManager.connect: tls is for a rediss:// URL');
  return Buffer.from(ca);
}

function checkPositive(name, value, fallback) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > 2 ** 31 - 1) {
    throw new TypeError(`ClusterInteractionManager.connect: ${name} must be a positive integer of milliseconds`);
  }
  return value;
}

module.exports = function makeCluster({ InteractionManager, InteractionError, native, defaultLogger, Throttle, reasonText }) {
  // Cluster mode's errors (REDIS_UNAVAILABLE, REDIS_ERROR): an InteractionError too, so a host's
  // `instanceof InteractionError` checks keep catching them.
  class ClusterError extends InteractionError {}
  Object.defineProperty(ClusterError.prototype, 'name', { value: 'ClusterError', writable: true, configurable: true });

  function unavailable(err) {
    const message = String((err && err.message) || err);
    const code = message.startsWith('REDIS_ERROR') ? 'REDIS_ERROR' : 'REDIS_UNAVAILABLE';
    return new ClusterError(message.replace(/^REDIS_(UNAVAILABLE|ERROR): /, 'Redis: '), code);
  }

  class ClusterInteractionManager extends EventEmitter {
    #local;
    #link;
    #id;
    #logger;
    // Script errors (bugs, or keys of another layout under the prefix) can come per write.
    #throttle;
    #timeoutMs;
    #requireMatch;
    #slackMs;
    #closed = false;
    #closing = null;
    // Calls waiting for the native side's answer: call id -> { resolve, reject, timer }.
    #calls = new Map();
    #nextCall = 0;
    // This process's pending interactions: id -> sessionId.
    #owned = new Map();
    // The shared form (JSON members, record ttl) of the request being registered, for #requested.
    #shared = null;
    #sharedTtl = 0;
    #defaultTtl;
    // The start of a publish write (batch.rs): require-match flag and session kind.
    #headNamed;
    #headNull;
    #headNone;
    // This turn's writes for the link, in order (src/cluster/batch.rs), as their fields. One
    // native call per turn carries them all: the fields joined, and their lengths.
    #parts = [];
    #flushing = false;
    #flush = () => {
      this.#flushing = false;
      const parts = this.#parts;
      if (parts.length === 0) return;
      this.#parts = [];
      const lengths = new Uint32Array(parts.length);
      for (let i = 0; i < parts.length; i++) lengths[i] = parts[i].length;
      this.#link.write(parts.join(''), lengths);
    };

    /**
     * Connects to Redis and returns a manager whose interactions are shared with every process
     * connected with the same prefix. Rejects with code REDIS_UNAVAILABLE if Redis cannot be reached.
     */
    static async connect(options = {}) {
      if (options === null || typeof options !== 'object') throw new TypeError('ClusterInteractionManager.connect expects an options object');
      const im = new ClusterInteractionManager(CONSTRUCTING, options);
      try {
        await im.#call('start');
      } catch (err) {
        im.#closed = true;
        im.#local.shutdown();
        throw unavailable(err);
      }
      return im;
    }

    constructor(token, options) {
      if (token !== CONSTRUCTING) throw new TypeError('use `await ClusterInteractionManager.connect(options)`');
      super();
      const { redisUrl, prefix = 'interactions', instanceId = randomUUID(), heartbeatMs, ownerTimeoutMs, tls, ...rest } = options;
      checkUrl(redisUrl);
      const tlsCa = checkTls(tls, redisUrl);
      if (typeof prefix !== 'string' || prefix === '') throw new TypeError('ClusterInteractionManager.connect: prefix must be a non-empty string');
      if (typeof instanceId !== 'string' || instanceId === '' || instanceId.includes(':')) {
        throw new TypeError('ClusterInteractionManager.connect: instanceId must be a non-empty string without ":"');
      }
      const heartbeat = checkPositive('heartbeatMs', heartbeatMs, 1000);
      const ownerTimeout = checkPositive('ownerTimeoutMs', ownerTimeoutMs, 5000);
      if (ownerTimeout <= heartbeat) {
        throw new TypeError('ClusterInteractionManager.connect: ownerTimeoutMs must be longer than heartbeatMs (a live process would be taken for dead)');
      }
      const o = readOptions(rest);
      const weak = new WeakRef(this);
      try {
        this.#link = new native.RedisLink({ redisUrl, prefix, instanceId, heartbeatMs: heartbeat, ownerTimeoutMs: ownerTimeout, tlsCa }, (batch) => {
          const me = weak.deref();
          if (me !== undefined) me.#deliver(batch);
        });
      } catch (err) {
        // The URL did not parse (redis crate's own check).
        throw new TypeError(`ClusterInteractionManager.connect: ${err.message}`);
      }
      this.#local = new InteractionManager(rest);
      this.#timeoutMs = o.interactionTimeoutMs;
      this.#requireMatch = o.requireSessionMatch;
      this.#slackMs = ownerTimeout + heartbeat;
      this.#defaultTtl = this.#ttl(undefined, undefined);
      const r = o.requireSessionMatch ? 1 : 0;
      this.#headNamed = `P${r}s`;
      this.#headNull = `P${r}n`;
      this.#headNone = `P${r}u`;
      this.#logger = rest.logger ?? defaultLogger().logger;
      this.#throttle = new Throttle(this.#logger);
      this.#id = instanceId;
      // The local manager's events come here first (its own `emit`, shadowed): shared, then
      // emitted on this object, in one hop. Listeners belong to this object, never to the local one.
      Object.defineProperty(this.#local, 'emit', {
        value: (event, p) => {
          if (event === 'interaction-request') this.#requested(p);
          else this.#ended(event, p);
          return this.emit(event, p);
        },
      });
    }

    /** This process's id in the cluster. */
    get instanceId() {
      return this.#id;
    }

    // ---- this process's interactions -------------------------------------------------------

    requestInteraction(request) {
      this.#shared = null;
      if (request !== null && typeof request === 'object' && !this.#closed) {
        try {
          this.#shared = shareable(request);
          this.#sharedTtl = request.timeoutMs === undefined && request.maxTotalMs === undefined ? this.#defaultTtl : this.#ttl(request.timeoutMs, request.maxTotalMs);
        } catch (err) {
          this.#shared = null;
          return Promise.reject(err);
        }
      }
      try {
        return this.#local.requestInteraction(request);
      } finally {
        this.#shared = null;
      }
    }

    // How long the record may outlive its deadline in Redis: the backstop if every process died.
    #ttl(timeoutMs, maxTotalMs) {
      let base = NO_TIMEOUT_TTL_MS;
      try {
        const t = timeoutMs === undefined ? this.#timeoutMs : checkMillis('timeoutMs', timeoutMs);
        const m = maxTotalMs === undefined ? 0 : checkMillis('maxTotalMs', maxTotalMs);
        const wait = Math.min(t > 0 ? t : Infinity, m > 0 ? m : Infinity);
        if (wait !== Infinity) base = wait;
      } catch {
        // the local manager reports the bad value
      }
      return base + this.#slackMs;
    }

    #queued() {
      if (this.#flushing) return;
      this.#flushing = true;
      queueMicrotask(this.#flush);
    }

    #requested(p) {
      const shared = this.#shared;
      this.#shared = null;
      if (shared !== null) {
        const { id, type, sessionId, requestedAt } = p;
        this.#owned.set(id, sessionId);
        const named = typeof sessionId === 'string';
        const head = `${named ? this.#headNamed : sessionId === null ? this.#headNull : this.#headNone}${this.#sharedTtl}`;
        if (named) this.#parts.push(head, id, sessionId, type, shared, String(requestedAt));
        else this.#parts.push(head, id, type, shared, String(requestedAt));
        this.#queued();
      }
    }

    #ended(event, p) {
      if (this.#owned.delete(p.interactionId)) {
        this.#parts.push('E', p.interactionId, event, JSON.stringify(p));
        this.#queued();
      }
    }

    // ---- answers from any process ----------------------------------------------------------

    /** Settles the interaction wherever its promise lives. Resolves to today's result shape. */
    async resolveInteraction(interactionId, response, requestingSessionId) {
      return this.#answer(interactionId, 'resolve', response, requestingSessionId);
    }

    async rejectInteraction(interactionId, reason) {
      return this.#answer(interactionId, 'reject', reason, undefined);
    }

    async #answer(id, kind, value, asker) {
      const local = () => (kind === 'resolve' ? this.#local.resolveInteraction(id, value, asker) : this.#local.rejectInteraction(id, value));
      if (typeof id !== 'string' || this.#closed) return local();
      const owned = this.#owned.has(id);
      if (!this.#link.isUp()) return owned ? local() : { success: false, error: 'REDIS_UNAVAILABLE' };
      const payload = kind === 'resolve' ? (value === undefined ? '' : toJson('response', value) ?? '') : reasonText(value);
      let claimed;
      try {
        claimed = Number(await this.#call('claim', id, askerKey(asker), kind, payload));
      } catch (err) {
        // Redis went away mid-call: this process's own interactions are still answered here.
        if (this.#owned.has(id)) return local();
        return { success: false, error: unavailable(err).code };
      }
      switch (claimed) {
        case 1:
          return { success: true };
        case 2:
          return local();
        case -2:
          return { success: false, error: 'SESSION_MISMATCH' };
        case -3:
          return { success: false, error: 'invalid_or_decided', settledAs: 'OWNER_GONE' };
        case -4:
          return { success: false, error: 'invalid_or_decided' };
        default:
          // Not in Redis: ours but not written yet (or being republished), or unknown here too.
          return local();
      }
    }

    /** Restarts the interaction's timeout wherever it lives. */
    async touchInteraction(interactionId) {
      if (typeof interactionId === 'string' && !this.#closed && !this.#owned.has(interactionId)) {
        if (!this.#link.isUp()) return { success: false, error: 'REDIS_UNAVAILABLE' };
        try {
          const routed = Number(await this.#call('touch', interactionId));
          if (routed === 1) return { success: true };
        } catch (err) {
          return { success: false, error: unavailable(err).code };
        }
      }
      return this.#touchLocal(interactionId);
    }

    #touchLocal(id) {
      const result = this.#local.touchInteraction(id);
      if (result.success && this.#owned.has(id)) {
        this.#parts.push('R', id);
        this.#queued();
      }
      return result;
    }

    /** Ends the session's interactions on every process (SESSION_REMOVED). */
    async removeSession(sessionId) {
      this.#local.removeSession(sessionId);
      if (typeof sessionId === 'string' && sessionId !== '' && !this.#closed) {
        this.#parts.push('S', sessionId);
        this.#queued();
      }
    }

    async detachSession(sessionId, options) {
      this.#local.detachSession(sessionId, options);
      if (!sessionId || typeof sessionId !== 'string' || this.#closed) return;
      const graceMs = options && options.graceMs !== undefined ? options.graceMs : native.DEFAULT_GRACE_MS;
      this.#parts.push('D', sessionId, String(graceMs));
      this.#queued();
    }

    /** Cancels the session's grace on every process; whether it was detached. */
    async attachSession(sessionId) {
      const here = this.#local.attachSession(sessionId);
      if (!sessionId || typeof sessionId !== 'string' || this.#closed || !this.#link.isUp()) return here;
      try {
        return (await this.#call('attach', sessionId)) === '1' || here;
      } catch (err) {
        this.#logger.warn(`[ClusterInteractionManager] attachSession(${JSON.stringify(sessionId)}) reached only this process: ${err.message}`);
        return here;
      }
    }

    /** The pending interactions of these sessions on every process. Rejects with code
     * REDIS_UNAVAILABLE while Redis is unreachable (the list would be partial). */
    async getPendingInteractions(sessionIds, type = null) {
      const names = Array.isArray(sessionIds) ? sessionIds.filter((s) => typeof s === 'string') : [];
      const mine = this.#local.getPendingInteractions(names, type);
      if (names.length === 0 || this.#closed) return mine;
      if (!this.#link.isUp()) throw new ClusterError('Redis is unreachable: only this process could list its interactions', 'REDIS_UNAVAILABLE');
      let json;
      try {
        json = await this.#call('list', names);
      } catch (err) {
        throw unavailable(err);
      }
      const seen = new Set(mine.map((r) => r.id));
      const wanted = typeof type === 'string' ? type : null;
      const all = mine.concat(JSON.parse(json).filter((r) => !seen.has(r.id) && !this.#owned.has(r.id) && (wanted === null || r.type === wanted)));
      // As the local manager: in the order of the given sessions, then of the requests.
      const order = new Map();
      names.forEach((n, i) => order.has(n) || order.set(n, i));
      return all.sort((a, b) => order.get(a.sessionId) - order.get(b.sessionId) || a.requestedAt - b.requestedAt);
    }

    // ---- calls that need Redis ------------------------------------------------------------

    // Starts `method` on the native side, which answers through #deliver (`reply`/`fail`). While
    // the answer is due, a timer keeps the process alive (as any pending I/O would) and bounds
    // the wait: commands time out after 2 s on the native side, so this one only fires on a bug.
    #call(method, ...args) {
      const call = (this.#nextCall = (this.#nextCall + 1) >>> 0);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#calls.delete(call);
          reject(new ClusterError(`Redis: no answer to ${method} within ${CALL_TIMEOUT_MS} ms`, 'REDIS_UNAVAILABLE'));
        }, CALL_TIMEOUT_MS);
        this.#calls.set(call, { resolve, reject, timer });
        try {
          this.#link[method](call, ...args);
        } catch (err) {
          clearTimeout(timer);
          this.#calls.delete(call);
          reject(err);
        }
      });
    }

    #answered(call, ok, value) {
      const pending = this.#calls.get(Number(call));
      if (pending === undefined) return;
      this.#calls.delete(Number(call));
      clearTimeout(pending.timer);
      if (ok) pending.resolve(value);
      else pending.reject(unavailable(value));
    }

    // ---- deliveries from Redis ----------------------------------------------------------

    #deliver(batch) {
      for (let i = 0; i + 2 < batch.length; i += 3) {
        try {
          this.#apply(batch[i], batch[i + 1], batch[i + 2]);
        } catch (err) {
          this.#logger.warn(`[ClusterInteractionManager] a listener threw while a ${batch[i]} from Redis was applied:`, err);
        }
      }
    }

    #apply(kind, a, v) {
      if (this.#closed && kind !== 'event' && kind !== 'reply' && kind !== 'fail') return;
      switch (kind) {
        case 'event':
          this.emit(a, parse(v));
          break;
        case 'resolve': {
          this.#local.resolveInteraction(a, parse(v), this.#owned.get(a));
          break;
        }
        case 'reject':
          this.#local.rejectInteraction(a, v);
          break;
        case 'touch':
          this.#touchLocal(a);
          break;
        case 'removeSession':
          this.#local.removeSession(a);
          break;
        case 'detach':
          this.#local.detachSession(a, { graceMs: Number(v) });
          break;
        case 'attach':
          this.#local.attachSession(a);
          break;
        case 'reply':
          this.#answered(a, true, v);
          break;
        case 'fail':
          this.#answered(a, false, v);
          break;
        case 'state':
          if (a === 'down') this.#logger.warn(`[ClusterInteractionManager] Redis unreachable (${v}); local interactions go on, remote calls answer REDIS_UNAVAILABLE`);
          else if (a === 'up') this.#logger.warn('[ClusterInteractionManager] Redis reachable again; this process republished its interactions');
          else this.#throttle.warn(`[ClusterInteractionManager] ${v}`);
          break;
        default:
          break;
      }
    }

    // ---- the rest, as InteractionManager ----------------------------------------------

    /** Whether Redis answers now (also the metric interaction_manager_redis_up). */
    isRedisUp() {
      return !this.#closed && this.#link.isUp();
    }

    getMetrics() {
      const up = this.isRedisUp() ? 1 : 0;
      return `${this.#local.getMetrics()}# HELP interaction_manager_redis_up Whether this process reaches Redis (cluster mode).\n# TYPE interaction_manager_redis_up gauge\ninteraction_manager_redis_up ${up}\n`;
    }

    getMetricsSnapshot() {
      return { ...this.#local.getMetricsSnapshot(), redisUp: this.isRedisUp() ? 1 : 0 };
    }

    /** This process's pending interactions. */
    getPendingCount() {
      return this.#local.getPendingCount();
    }

    getStatistics() {
      return this.#local.getStatistics();
    }

    cleanupStaleInteractions() {
      this.#local.cleanupStaleInteractions();
    }

    /** Settles this process's interactions (SHUTDOWN), removes their records and this
     * process's liveness keys, and disconnects. */
    close() {
      if (this.#closing === null) {
        this.#local.shutdown();
        this.#closed = true;
        this.#flush();
        this.#closing = this.#call('close').then(() => undefined);
      }
      return this.#closing;
    }

    shutdown() {
      return this.close();
    }
  }

  return { ClusterInteractionManager, ClusterError };
};
