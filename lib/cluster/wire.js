'use strict';
// Cluster mode's wire, JS side: what crosses to the native link and back. Writes of one JS turn
// go over in one native call (src/cluster/wire.rs decodes them); deliveries come back as flat
// triples `[kind, a, v, ...]`; records cross processes as JSON.

const native = require('../native.js');
const { StringPack } = require('../pack.js');
const { checkMillis } = require('../options.js');
const { waitOf } = require('../request.js');

// A record with no deadline still expires from Redis a day after its owner last renewed it.
const NO_TIMEOUT_TTL_MS = 24 * 60 * 60 * 1000;

// The letters are src/cluster/wire.rs's (exported by the binding).
const { SESSION_KEY_NAMED, SESSION_KEY_EMPTY, SESSION_KEY_NULL, SESSION_KEY_UNDEFINED, SESSION_KEY_ANYONE, SESSION_KEY_NONE, SESSION_KEY_UNCHECKED } = native;

// Who may answer an interaction, as the claim script compares it (the registry's Owner).
function sessionKey(sessionId) {
  if (typeof sessionId === 'string') return sessionId === '' ? SESSION_KEY_EMPTY : `${SESSION_KEY_NAMED}${sessionId}`;
  return sessionId === null ? SESSION_KEY_NULL : SESSION_KEY_UNDEFINED;
}

/** A string that can cross to the link exactly: well-formed UTF-16. One with a lone surrogate
 * would be converted lossily ('u\uD800' to 'u\uFFFD', another session), so it never crosses. */
function exact(s) {
  return typeof s === 'string' && s.isWellFormed();
}

// The answerer: no session given answers as anyone, as the local manager does; a value that is
// neither a well-formed string nor null is an asker no session can match (a stranger, as in
// single-process mode).
function askerKey(asker) {
  if (asker === undefined) return SESSION_KEY_ANYONE;
  if (exact(asker) || asker === null) return sessionKey(asker);
  return SESSION_KEY_NONE;
}

function toJson(what, value) {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new TypeError(`cluster mode: the ${what} cannot be serialised to JSON (${err && err.message}); it must cross processes`);
  }
}

// What may cross processes is at most `maxBytes` (connect's maxPayloadBytes) in UTF-8: a TypeError
// naming the limit otherwise. A UTF-16 unit is at most 3 UTF-8 bytes, so most payloads are not
// counted.
function withinLimit(what, text, maxBytes, json = true) {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) throw new TypeError(`cluster mode: the ${what} ${bytes} bytes${json ? ' as JSON' : ''}, over maxPayloadBytes (${maxBytes}); it must cross processes`);
  return text;
}

// `"data":...,"metadata":...` of a request, as JSON, with the semantics of JSON.stringify (and of
// the host's WebSocket messages): functions, symbols and undefined members are left out. What
// JSON cannot hold (a BigInt, a cycle, a throwing toJSON), or a JSON of `{ data, metadata }`
// longer than `maxBytes`, is a TypeError that says so. `metadata.abortSignal` stays local.
function shareable(request, maxBytes) {
  let { data, metadata } = request;
  if (metadata === undefined) metadata = {};
  else if (metadata !== null && typeof metadata === 'object' && metadata.abortSignal !== undefined) metadata = { ...metadata, abortSignal: undefined };
  // `{"data":...,"metadata":...}` without its braces.
  return withinLimit('data and metadata are', toJson('data or metadata', { data, metadata }), maxBytes).slice(1, -1);
}

/** A value that crossed as JSON; '' is undefined. */
function parse(json) {
  return json === '' ? undefined : JSON.parse(json);
}

/** The payload of a routed answer, as JSON (which escapes lone surrogates, so it crosses
 * exactly): a resolve's response, a reject's reason text; a TypeError when it cannot be JSON or
 * is longer than `maxBytes`. */
function answerPayload(kind, value, reasonText, maxBytes) {
  if (kind !== 'resolve') return withinLimit('reason is', JSON.stringify(reasonText(value)), maxBytes);
  return value === undefined ? '' : withinLimit('response is', toJson('response', value) ?? '', maxBytes);
}

// This turn's writes for the link, in order, as their fields (the op letters and fields are
// those of src/cluster/wire.rs). One native call per turn, in a microtask, carries them all.
class Writes {
  #parts = [];
  #scheduled = false;
  #pack = new StringPack();
  #link;
  // The start of a publish write: op letter, require-match flag, session kind.
  #heads;
  #flush = () => this.flush();

  constructor(link, requireSessionMatch) {
    this.#link = link;
    const r = requireSessionMatch ? 1 : 0;
    this.#heads = { named: `P${r}${SESSION_KEY_NAMED}`, null: `P${r}${SESSION_KEY_NULL}`, none: `P${r}${SESSION_KEY_UNDEFINED}` };
  }

  /** The interaction is registered here: its record, with `shared` from `shareable`. */
  publish({ id, type, sessionId, requestedAt }, shared, ttlMs) {
    if (typeof sessionId === 'string') this.#parts.push(`${this.#heads.named}${ttlMs}`, id, sessionId, type, shared, String(requestedAt));
    else this.#parts.push(`${sessionId === null ? this.#heads.null : this.#heads.none}${ttlMs}`, id, type, shared, String(requestedAt));
    this.#schedule();
  }

  /** It ended here: every process hears `name` with `event`. */
  end(id, name, event) {
    this.#parts.push('E', id, name, JSON.stringify(event));
    this.#schedule();
  }

  refresh(id) {
    this.#parts.push('R', id);
    this.#schedule();
  }

  removeSession(sessionId) {
    this.#parts.push('S', sessionId);
    this.#schedule();
  }

  detach(sessionId, graceMs) {
    this.#parts.push('D', sessionId, String(graceMs));
    this.#schedule();
  }

  /** The owner's answer to a routed answer: `result` reaches the answerer's `ticket`. */
  ack(answerer, ticket, result) {
    this.#parts.push('A', answerer, ticket, JSON.stringify(result));
    this.#schedule();
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#flush);
  }

  /** Hands the queued writes to the link now. */
  flush() {
    this.#scheduled = false;
    const parts = this.#parts;
    if (parts.length === 0) return;
    this.#parts = [];
    const joined = this.#pack.pack(parts);
    this.#link.write(joined, this.#pack.lengths(parts.length));
  }
}

// A routed answer's value carries who gave it and the ticket it waits on: `<instance>:<ticket>:`
// before the payload (instance ids hold no ':').
function routed(answerer, ticket, payload) {
  return `${answerer}:${ticket}:${payload}`;
}

/** `{ answerer, ticket, payload }` of a routed answer's value; null when it has no reply-to. */
function unrouted(value) {
  const a = value.indexOf(':');
  const b = a < 0 ? -1 : value.indexOf(':', a + 1);
  if (b < 0) return null;
  return { answerer: value.slice(0, a), ticket: value.slice(a + 1, b), payload: value.slice(b + 1) };
}

/**
 * A listing of every process: this process's own (`mine`, its very objects) and the shared
 * records of the others (`shared`, in the order they were published, on Redis's clock, not the
 * owners' requestedAt), as the local manager lists: in the order of the given sessions, then of
 * the requests. This process's records not written yet come after the others, by its own clock.
 */
function merged(mine, shared, names, type, ownedHere) {
  const place = new Map();
  shared.forEach((r, i) => place.set(r.id, i));
  const seen = new Set(mine.map((r) => r.id));
  const wanted = typeof type === 'string' ? type : null;
  const all = mine.concat(shared.filter((r) => !seen.has(r.id) && !ownedHere(r.id) && (wanted === null || r.type === wanted)));
  const order = new Map();
  names.forEach((n, i) => order.has(n) || order.set(n, i));
  const at = (r) => place.get(r.id) ?? Infinity;
  return all.sort((a, b) => order.get(a.sessionId) - order.get(b.sessionId) || at(a) - at(b) || a.requestedAt - b.requestedAt);
}

/** How long a record may outlive its deadline in Redis (the backstop if every process died):
 * the request's wait (its timeout, or the manager's, capped by maxTotalMs) plus `slackMs`. A
 * bad value counts as none: the local manager reports it. */
function recordTtl(timeoutMs, maxTotalMs, defaultTimeoutMs, slackMs) {
  let wait = Infinity;
  try {
    const t = timeoutMs === undefined ? defaultTimeoutMs : checkMillis('timeoutMs', timeoutMs);
    wait = waitOf(t, maxTotalMs === undefined ? 0 : checkMillis('maxTotalMs', maxTotalMs));
  } catch {
    // the local manager reports the bad value
  }
  return (wait === Infinity ? NO_TIMEOUT_TTL_MS : wait) + slackMs;
}

/** Calls `apply(kind, a, v)` for each delivery of a batch; `failed(kind, err)` when one throws. */
function eachDelivery(batch, apply, failed) {
  for (let i = 0; i + 2 < batch.length; i += 3) {
    try {
      apply(batch[i], batch[i + 1], batch[i + 2]);
    } catch (err) {
      failed(batch[i], err);
    }
  }
}

module.exports = { SESSION_KEY_UNCHECKED, exact, sessionKey, askerKey, shareable, parse, answerPayload, routed, unrouted, merged, recordTtl, Writes, eachDelivery };
