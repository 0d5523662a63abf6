'use strict';
// Options of a manager: defaults, checks, and the environment variables the process-wide
// manager reads when it is first created (so the one-line drop-in can be configured without code).

// The numbers and the flag are the core's defaults, defined once there (src/constants.rs
// `defaults()`); rateLimit (none) and logger are the JS layer's own.
const NATIVE_DEFAULTS = require('./native.js').defaults();
const DEFAULTS = Object.freeze({
  interactionTimeoutMs: NATIVE_DEFAULTS.interactionTimeoutMs,
  staleThresholdMs: NATIVE_DEFAULTS.staleThresholdMs,
  cleanupIntervalMs: NATIVE_DEFAULTS.cleanupIntervalMs,
  maxInteractionsPerSession: NATIVE_DEFAULTS.maxInteractionsPerSession,
  maxPendingTotal: NATIVE_DEFAULTS.maxPendingTotal,
  requireSessionMatch: NATIVE_DEFAULTS.requireSessionMatch,
  rateLimit: null,
  maxTypes: NATIVE_DEFAULTS.maxTypes,
  logger: null,
});

function checkMillis(name, value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite number >= 0 (0 disables), got ${typeof value === 'number' ? value : typeof value}`);
  }
  return Math.ceil(value);
}

function checkCount(name, value) {
  if (!Number.isInteger(value) || value < 1 || value > 0xffffffff) {
    throw new TypeError(`${name} must be an integer from 1 to 4294967295`);
  }
  return value;
}

function checkLogger(logger) {
  if (logger === null || logger === undefined) return null;
  const missing = ['debug', 'warn', 'error'].filter((m) => typeof logger?.[m] !== 'function');
  if (typeof logger !== 'object' && typeof logger !== 'function') throw new TypeError('logger must be an object with debug, warn and error methods');
  if (missing.length > 0) throw new TypeError(`logger must have debug, warn and error methods; missing: ${missing.join(', ')}`);
  return logger;
}

/** Checks `options` and fills in the defaults; throws a TypeError naming a bad option. */
function readOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') throw new TypeError('InteractionManager options must be an object');
  const known = Object.keys(DEFAULTS);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`Unknown InteractionManager option '${key}'; known: ${known.join(', ')}`);
  }
  const o = { ...DEFAULTS, ...options };
  if (typeof o.requireSessionMatch !== 'boolean') throw new TypeError('requireSessionMatch must be a boolean');
  let rateLimit = null;
  if (o.rateLimit !== null && o.rateLimit !== undefined) {
    if (typeof o.rateLimit !== 'object') throw new TypeError('rateLimit must be { max, windowMs }');
    const windowMs = checkMillis('rateLimit.windowMs', o.rateLimit.windowMs);
    if (windowMs === 0) throw new TypeError('rateLimit.windowMs must be > 0');
    rateLimit = { max: checkCount('rateLimit.max', o.rateLimit.max), windowMs };
  }
  return {
    interactionTimeoutMs: checkMillis('interactionTimeoutMs', o.interactionTimeoutMs),
    staleThresholdMs: checkMillis('staleThresholdMs', o.staleThresholdMs),
    cleanupIntervalMs: checkMillis('cleanupIntervalMs', o.cleanupIntervalMs),
    maxInteractionsPerSession: checkCount('maxInteractionsPerSession', o.maxInteractionsPerSession),
    maxPendingTotal: checkCount('maxPendingTotal', o.maxPendingTotal),
    requireSessionMatch: o.requireSessionMatch,
    rateLimit,
    maxTypes: checkCount('maxTypes', o.maxTypes),
    logger: checkLogger(o.logger),
  };
}

// Variable -> [option, kind]. Durations: whole milliseconds >= 0; counts: integers >= 1.
const ENVIRONMENT = Object.freeze({
  INTERACTION_TIMEOUT_MS: ['interactionTimeoutMs', 'millis'],
  INTERACTION_STALE_THRESHOLD_MS: ['staleThresholdMs', 'millis'],
  INTERACTION_CLEANUP_INTERVAL_MS: ['cleanupIntervalMs', 'millis'],
  INTERACTION_MAX_PER_SESSION: ['maxInteractionsPerSession', 'count'],
  INTERACTION_MAX_PENDING_TOTAL: ['maxPendingTotal', 'count'],
  INTERACTION_REQUIRE_SESSION_MATCH: ['requireSessionMatch', 'boolean'],
});

const BOOLEANS = { true: true, 1: true, yes: true, false: false, 0: false, no: false };

/** The options set by environment variables; a malformed one throws a TypeError naming it. */
function fromEnvironment(env = process.env) {
  const options = {};
  for (const [name, [option, kind]] of Object.entries(ENVIRONMENT)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const text = raw.trim();
    let value;
    if (kind === 'boolean') {
      value = BOOLEANS[text.toLowerCase()];
      if (value === undefined) throw new TypeError(`${name} must be true or false (or 1/0, yes/no), got "${raw}"`);
    } else {
      value = /^\d+$/.test(text) ? Number(text) : NaN;
      const ok = Number.isSafeInteger(value) && (kind === 'millis' ? value >= 0 : value >= 1 && value <= 0xffffffff);
      if (!ok) {
        const want = kind === 'millis' ? 'a whole number of milliseconds >= 0 (0 disables)' : 'an integer from 1 to 4294967295';
        throw new TypeError(`${name} must be ${want}, got "${raw}"`);
      }
    }
    options[option] = value;
  }
  return options;
}

// ---- cluster mode's own options (ClusterInteractionManager.connect) ----------------------

// maxPayloadBytes: the largest `data` + `metadata` (as JSON), response (as JSON) or reject reason
// that may cross processes, in UTF-8 bytes.
const CLUSTER_DEFAULTS = Object.freeze({ prefix: 'interactions', heartbeatMs: 1000, ownerTimeoutMs: 5000, maxPayloadBytes: 1024 * 1024 });

function clusterError(text) {
  return new TypeError(`ClusterInteractionManager.connect: ${text}`);
}

function checkPositive(name, value, fallback) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > 2 ** 31 - 1) throw clusterError(`${name} must be a positive integer of milliseconds`);
  return value;
}

// `tls: { ca }`: the CA certificate(s) (PEM) a rediss:// server is checked against, instead of
// the system's store.
function checkTls(tls, url) {
  if (tls === undefined) return undefined;
  const ca = tls !== null && typeof tls === 'object' ? tls.ca : undefined;
  if (typeof ca !== 'string' && !Buffer.isBuffer(ca)) throw clusterError('tls must be { ca: <PEM string or Buffer> }');
  if (!url.startsWith('rediss://')) throw clusterError('tls is for a rediss:// URL');
  return Buffer.from(ca);
}

function checkBytes(name, value, fallback) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > 2 ** 31 - 1) throw clusterError(`${name} must be a positive integer of bytes (at most 2147483647)`);
  return value;
}

/**
 * Checks connect's options: `link` for the native RedisLink, `local` (the InteractionManager
 * options, checked), `rest` (as given, for the local manager) and `maxPayloadBytes`. A bad one
 * throws a TypeError.
 */
function readClusterOptions(options, newId) {
  if (options === null || typeof options !== 'object') throw new TypeError('ClusterInteractionManager.connect expects an options object');
  const { redisUrl, prefix = CLUSTER_DEFAULTS.prefix, instanceId = newId(), heartbeatMs, ownerTimeoutMs, tls, maxPayloadBytes, ...rest } = options;
  if (typeof redisUrl !== 'string' || !/^rediss?:\/\//.test(redisUrl)) throw clusterError('redisUrl must be a redis:// or rediss:// URL');
  const tlsCa = checkTls(tls, redisUrl);
  if (typeof prefix !== 'string' || prefix === '') throw clusterError('prefix must be a non-empty string');
  if (typeof instanceId !== 'string' || instanceId === '' || instanceId.includes(':')) throw clusterError('instanceId must be a non-empty string without ":"');
  const heartbeat = checkPositive('heartbeatMs', heartbeatMs, CLUSTER_DEFAULTS.heartbeatMs);
  const ownerTimeout = checkPositive('ownerTimeoutMs', ownerTimeoutMs, CLUSTER_DEFAULTS.ownerTimeoutMs);
  if (ownerTimeout <= heartbeat) throw clusterError('ownerTimeoutMs must be longer than heartbeatMs (a live process would be taken for dead)');
  const maxBytes = checkBytes('maxPayloadBytes', maxPayloadBytes, CLUSTER_DEFAULTS.maxPayloadBytes);
  const local = readOptions(rest);
  // `incarnation`: this connect's token (src/cluster/keys.rs), told apart from any other connect
  // with the same instanceId.
  return { link: { redisUrl, prefix, instanceId, incarnation: newId(), heartbeatMs: heartbeat, ownerTimeoutMs: ownerTimeout, tlsCa }, local, rest, maxPayloadBytes: maxBytes };
}

module.exports = { DEFAULTS, CLUSTER_DEFAULTS, ENVIRONMENT, readOptions, readClusterOptions, checkMillis, fromEnvironment };
