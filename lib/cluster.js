'use strict';
// ClusterInteractionManager: several host processes, one set of interactions, through Redis.
// Each process keeps its own interactions (promises, deadlines, signals) in a local
// InteractionManager, which tells this object of each one registered and ended (its one hook,
// kObserve); the native RedisLink (src/cluster/) mirrors them in Redis, claims answers
// atomically there, routes them to the owner's inbox stream and brings back the other processes'
// events. This file only shapes arguments and forwards events; the wire is cluster/wire.js.

const { EventEmitter } = require('node:events');
const { randomUUID } = require('node:crypto');
const native = require('./native.js');
const { InteractionManager, kObserve, kRequest, kFence, DEFAULT_GRACE_MS } = require('./manager.js');
const { ClusterError, reasonText } = require('./errors.js');
const { readClusterOptions } = require('./options.js');
const { defaultLogger, Throttle } = require('./logging.js');
const { Acks } = require('./cluster/acks.js');
const { Heard } = require('./cluster/heard.js');
const { Calls, CALL_TIMEOUT_MS, ClaimOutcome, outcomeOf, ownerGone, unavailable } = require('./cluster/calls.js');
const { SESSION_KEY_UNCHECKED, exact, askerKey, shareable, parse, answerPayload, routed, unrouted, merged, recordTtl, Writes, eachDelivery } = require('./cluster/wire.js');

// The codes of a failed call's delivery (src/cluster/error.rs ClusterError::code).
const FAILURES = new Set(['REDIS_UNAVAILABLE', 'REDIS_ERROR', 'INSTANCE_ID_IN_USE']);
const CONSTRUCTING = Symbol('connect');

class ClusterInteractionManager extends EventEmitter {
  #local;
  #link;
  #writes;
  #id;
  #logger;
  // Every warning that a fault can repeat goes through a throttle (a line per 10 s, counting
  // the rest), one per kind so that one kind never hides another: errors the link reports
  // (script errors can come per write), Redis going away and coming back (a flapping
  // connection), listeners that throw at events from Redis, attaches that reached only here.
  #throttle;
  #downs;
  #ups;
  #listeners;
  #attaches;
  #timeoutMs;
  #slackMs;
  #defaultTtl;
  // connect's maxPayloadBytes: the largest data + metadata, response or reason that may cross.
  #maxPayload;
  #closed = false;
  #closing = null;
  // Calls waiting for the native side's answer.
  #calls;
  // Answers routed to their owner, waiting for its acknowledgement.
  #acks;
  // This process's pending interactions: id -> sessionId.
  #owned = new Map();
  #heard = new Heard();

  // `start` waits at most ownerTimeoutMs + heartbeatMs + 1 s for a previous incarnation's
  // liveness key to expire (src/cluster/mod.rs take_id), besides its commands.
  #startTimeout;

  /**
   * Connects to Redis and returns a manager whose interactions are shared with every process
   * connected with the same prefix. Rejects with code REDIS_UNAVAILABLE if Redis cannot be
   * reached, INSTANCE_ID_IN_USE if another live process has this instanceId, REDIS_ERROR naming
   * the commands if this Redis user may not run one cluster mode uses; warns (logger) when
   * maxmemory-policy is not noeviction or cannot be read.
   */
  static async connect(options = {}) {
    const im = new ClusterInteractionManager(CONSTRUCTING, options);
    let warnings;
    try {
      warnings = await im.#calls.within(im.#startTimeout, 'start');
    } catch (err) {
      im.#closed = true;
      im.#local.shutdown();
      throw unavailable(err);
    }
    // The preflight's (src/cluster/preflight.rs): once per connect.
    for (const line of String(warnings).split('\n')) if (line !== '') im.#logger.warn(`[ClusterInteractionManager] ${line}`);
    return im;
  }

  constructor(token, options) {
    if (token !== CONSTRUCTING) throw new TypeError('use `await ClusterInteractionManager.connect(options)`');
    super();
    const { link, local, rest, maxPayloadBytes } = readClusterOptions(options, randomUUID);
    const weak = new WeakRef(this);
    try {
      this.#link = new native.RedisLink(link, (batch) => {
        const me = weak.deref();
        if (me !== undefined) me.#deliver(batch);
      });
    } catch (err) {
      // The URL did not parse (redis crate's own check).
      throw new TypeError(`ClusterInteractionManager.connect: ${err.message}`);
    }
    this.#calls = new Calls(this.#link);
    this.#local = new InteractionManager(rest);
    this.#writes = new Writes(this.#link, local.requireSessionMatch);
    this.#maxPayload = maxPayloadBytes;
    this.#timeoutMs = local.interactionTimeoutMs;
    this.#slackMs = link.ownerTimeoutMs + link.heartbeatMs;
    // A live owner reads its inbox within a heartbeat; one that cannot is past its lease.
    this.#acks = new Acks(link.ownerTimeoutMs + link.heartbeatMs);
    this.#startTimeout = CALL_TIMEOUT_MS + this.#slackMs + 1000;
    this.#defaultTtl = this.#ttl(undefined, undefined);
    this.#logger = local.logger ?? defaultLogger().logger;
    this.#throttle = new Throttle(this.#logger);
    this.#downs = new Throttle(this.#logger);
    this.#ups = new Throttle(this.#logger);
    this.#listeners = new Throttle(this.#logger);
    this.#attaches = new Throttle(this.#logger);
    this.#id = link.instanceId;
    // The local manager's events come here instead of to its own listeners: shared, then
    // emitted on this object, in one hop.
    this.#local[kObserve]({
      requested: (event, shared) => {
        if (shared !== undefined) {
          this.#owned.set(event.id, event.sessionId);
          this.#writes.publish(event, shared.json, shared.ttl);
        }
        this.emit('interaction-request', event);
      },
      ended: (name, event) => {
        if (this.#owned.delete(event.interactionId)) this.#writes.end(event.interactionId, name, event);
        this.emit(name, event);
      },
      guard: () => this.#guard(),
    });
  }

  // Fencing: before anything registers or settles an interaction here, and when the heartbeat
  // says so. A process whose lease ran out (no heartbeat taken by Redis for the owner timeout less
  // a margin, now or at any time since it last fenced) may be dead in the others' eyes: it ends
  // its own interactions OWNER_GONE, exactly as their reaper does, before it could settle one
  // otherwise. While the lease stays out, each call fences what was requested meanwhile.
  #guard() {
    if (this.#closed || this.#link.leaseValid()) return;
    this.#downs.warn('[ClusterInteractionManager] no heartbeat reached Redis for longer than the lease (ownerTimeoutMs less a margin): this process may be taken for dead, so its interactions end OWNER_GONE, as the others end them');
    try {
      this.#local[kFence]();
    } finally {
      this.#link.fenced();
    }
  }

  /** This process's id in the cluster. */
  get instanceId() {
    return this.#id;
  }

  // ---- this process's interactions -------------------------------------------------------

  requestInteraction(request) {
    let shared;
    if (request !== null && typeof request === 'object' && !this.#closed) {
      try {
        const ttl = request.timeoutMs === undefined && request.maxTotalMs === undefined ? this.#defaultTtl : this.#ttl(request.timeoutMs, request.maxTotalMs);
        shared = { json: shareable(request, this.#maxPayload), ttl };
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.#local[kRequest](request, shared);
  }

  #ttl(timeoutMs, maxTotalMs) {
    return recordTtl(timeoutMs, maxTotalMs, this.#timeoutMs, this.#slackMs);
  }

  // ---- answers from any process ----------------------------------------------------------

  /** Settles the interaction wherever its promise lives. Resolves to today's result shape. */
  async resolveInteraction(interactionId, response, requestingSessionId) {
    return this.#answer(interactionId, 'resolve', response, requestingSessionId);
  }

  /** As single-process mode's: no session check (with requireSessionMatch too). */
  async rejectInteraction(interactionId, reason) {
    return this.#answer(interactionId, 'reject', reason, undefined);
  }

  // The owner decides: its registry settles the promise, whoever answered (the one arbiter), and
  // a routed answer is told `{ success: true }` only once the owner acknowledged that this very
  // answer settled it.
  async #answer(id, kind, value, asker) {
    const local = () => (kind === 'resolve' ? this.#local.resolveInteraction(id, value, asker) : this.#local.rejectInteraction(id, value));
    // An id that is not well-formed is unknown here as everywhere (and never crosses).
    if (!exact(id) || this.#closed) return local();
    // Checked (JSON, maxPayloadBytes: a TypeError) before anything is sent, Redis up or not.
    const answer = answerPayload(kind, value, reasonText, this.#maxPayload);
    const owned = this.#owned.has(id);
    if (!this.#link.isUp()) return owned ? local() : { success: false, error: 'REDIS_UNAVAILABLE' };
    // Awaited before the claim is sent: the acknowledgement may come before the claim's reply.
    const { ticket, acked } = this.#acks.open();
    const payload = routed(this.#id, ticket, answer);
    let claimed;
    try {
      claimed = outcomeOf(await this.#calls.call('claim', id, kind === 'resolve' ? askerKey(asker) : SESSION_KEY_UNCHECKED, kind, payload));
    } catch (err) {
      this.#acks.drop(ticket);
      // Redis went away mid-call: this process's own interactions are still answered here.
      if (this.#owned.has(id)) return local();
      return { success: false, error: unavailable(err).code };
    }
    if (claimed.outcome === ClaimOutcome.Routed) return acked;
    this.#acks.drop(ticket);
    switch (claimed.outcome) {
      case ClaimOutcome.Local:
        return local();
      case ClaimOutcome.SessionMismatch:
        return { success: false, error: 'SESSION_MISMATCH' };
      case ClaimOutcome.OwnerGone:
        // Reaped while this process, its owner, was cut off: its promise is still here.
        if (claimed.settledAt !== undefined && this.#owned.has(id)) return local();
        return ownerGone(claimed.settledAt);
      case ClaimOutcome.Decided:
        return { success: false, error: 'invalid_or_decided' };
      default:
        // Not in Redis: ours but not written yet (or being republished), or unknown here too.
        return local();
    }
  }

  // An answer another process routed here: settled by the local registry, then acknowledged with
  // what it answered (success, or how the interaction had already ended).
  #routedAnswer(kind, id, value) {
    const from = unrouted(value);
    const payload = from === null ? value : from.payload;
    let result;
    try {
      result = kind === 'resolve' ? this.#local.resolveInteraction(id, parse(payload), this.#owned.get(id)) : this.#local.rejectInteraction(id, parse(payload));
    } finally {
      if (from !== null) this.#writes.ack(from.answerer, from.ticket, result ?? { success: true });
    }
  }

  /** Restarts the interaction's timeout wherever it lives. */
  async touchInteraction(interactionId) {
    if (exact(interactionId) && !this.#closed && !this.#owned.has(interactionId)) {
      if (!this.#link.isUp()) return { success: false, error: 'REDIS_UNAVAILABLE' };
      try {
        const routed = outcomeOf(await this.#calls.call('touch', interactionId));
        if (routed.outcome === ClaimOutcome.Routed) return { success: true };
        if (routed.outcome === ClaimOutcome.OwnerGone) return ownerGone(routed.settledAt);
      } catch (err) {
        return { success: false, error: unavailable(err).code };
      }
    }
    return this.#touchLocal(interactionId);
  }

  #touchLocal(id) {
    const result = this.#local.touchInteraction(id);
    if (result.success && this.#owned.has(id)) this.#writes.refresh(id);
    return result;
  }

  /** Ends the session's interactions on every process (SESSION_REMOVED). */
  async removeSession(sessionId) {
    this.#local.removeSession(sessionId);
    // A session that is not well-formed names none, here as on every process.
    if (exact(sessionId) && sessionId !== '' && !this.#closed) this.#writes.removeSession(sessionId);
  }

  async detachSession(sessionId, options) {
    this.#local.detachSession(sessionId, options);
    if (!sessionId || !exact(sessionId) || this.#closed) return;
    this.#writes.detach(sessionId, options && options.graceMs !== undefined ? options.graceMs : DEFAULT_GRACE_MS);
  }

  /** Cancels the session's grace on every process; whether it was detached. */
  async attachSession(sessionId) {
    const here = this.#local.attachSession(sessionId);
    if (!sessionId || !exact(sessionId) || this.#closed || !this.#link.isUp()) return here;
    try {
      return (await this.#calls.call('attach', sessionId)) === '1' || here;
    } catch (err) {
      this.#attaches.warn(`[ClusterInteractionManager] attachSession(${JSON.stringify(sessionId)}) reached only this process: ${err.message}`);
      return here;
    }
  }

  /** The pending interactions of these sessions on every process. Rejects with code
   * REDIS_UNAVAILABLE while Redis is unreachable (the list would be partial). */
  async getPendingInteractions(sessionIds, type = null) {
    const names = Array.isArray(sessionIds) ? sessionIds.filter(exact) : [];
    const mine = this.#local.getPendingInteractions(names, type);
    if (names.length === 0 || this.#closed) return mine;
    if (!this.#link.isUp()) throw new ClusterError('Redis is unreachable: only this process could list its interactions', 'REDIS_UNAVAILABLE');
    let json;
    try {
      json = await this.#calls.call('list', names);
    } catch (err) {
      throw unavailable(err);
    }
    return merged(mine, JSON.parse(json), names, type, (id) => this.#owned.has(id));
  }

  // ---- deliveries from Redis ----------------------------------------------------------

  #deliver(batch) {
    eachDelivery(
      batch,
      (kind, a, v) => this.#apply(kind, a, v),
      (kind, err) => this.#listeners.warn(`[ClusterInteractionManager] a listener threw while a ${kind} from Redis was applied:`, err),
    );
  }

  #apply(kind, a, v) {
    if (this.#closed && kind !== 'event' && kind !== 'reply' && kind !== 'ack' && !FAILURES.has(kind)) return;
    switch (kind) {
      case 'event':
        this.#heard.emitFirst(this, a, parse(v));
        break;
      case 'resolve':
      case 'reject':
        this.#routedAnswer(kind, a, v);
        break;
      case 'ack':
        this.#acks.settle(a, JSON.parse(v));
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
        this.#calls.answered(a, true, v);
        break;
      // A failed call: the delivery's kind is its error code; the message says why (a Redis
      // failure's, `Redis: <why>`).
      case 'REDIS_UNAVAILABLE':
      case 'REDIS_ERROR':
      case 'INSTANCE_ID_IN_USE':
        this.#calls.answered(a, false, new ClusterError(kind === 'INSTANCE_ID_IN_USE' ? v : `Redis: ${v}`, kind));
        break;
      case 'state':
        if (a === 'fence') this.#guard();
        else if (a === 'down') this.#downs.warn(`[ClusterInteractionManager] Redis unreachable (${v}); local interactions go on, remote calls answer REDIS_UNAVAILABLE`);
        else if (a === 'up') this.#ups.warn('[ClusterInteractionManager] Redis reachable again; this process republished its interactions');
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
      this.#writes.flush();
      this.#closing = this.#calls.call('close').then(() => undefined);
    }
    return this.#closing;
  }

  shutdown() {
    return this.close();
  }
}

module.exports = { ClusterInteractionManager };
