'use strict';
// The checks of requestInteraction's argument, all made before anything is registered.

const { checkMillis } = require('./options.js');
const { isSignal } = require('./signals.js');

// Longest type or session id, in UTF-16 units: the binding's limit (src/constants.rs).
const { MAX_NAME } = require('./native.js');

// Session ids decide who may answer, so they must compare exactly: no lone surrogates.
function checkName(what, value) {
  if (value.length > MAX_NAME) throw new TypeError(`${what} is longer than ${MAX_NAME} characters`);
  if (!value.isWellFormed()) throw new TypeError(`${what} is not a well-formed string (lone surrogate)`);
}

/** The request's fields, checked; a bad one throws a TypeError naming it. */
function readRequest(request, defaultTimeoutMs) {
  if (request === null || typeof request !== 'object') {
    throw new TypeError('requestInteraction expects an object { type, sessionId, data, metadata }');
  }
  const { type, sessionId, data, timeoutMs, maxTotalMs, signal } = request;
  const metadata = request.metadata === undefined ? {} : request.metadata;
  if (typeof type !== 'string' || type === '') throw new TypeError('interaction type must be a non-empty string');
  checkName('type', type);
  if (typeof sessionId === 'string') checkName('sessionId', sessionId);
  else if (sessionId !== undefined && sessionId !== null) throw new TypeError('sessionId must be a string, null or undefined');
  const timeout = timeoutMs === undefined ? defaultTimeoutMs : checkMillis('timeoutMs', timeoutMs);
  const maxTotal = maxTotalMs === undefined ? 0 : checkMillis('maxTotalMs', maxTotalMs);
  let abortSignal = signal ?? (metadata !== null && typeof metadata === 'object' ? metadata.abortSignal : undefined);
  if (abortSignal === null) abortSignal = undefined;
  if (abortSignal !== undefined && !isSignal(abortSignal)) {
    throw new TypeError('signal / metadata.abortSignal must be an AbortSignal (aborted, addEventListener, removeEventListener)');
  }
  return { type, sessionId, data, metadata, timeout, maxTotal, abortSignal };
}

/** How long an interaction may wait in all (Infinity: no deadline). */
function waitOf(timeout, maxTotal) {
  return Math.min(timeout > 0 ? timeout : Infinity, maxTotal > 0 ? maxTotal : Infinity);
}

module.exports = { readRequest, waitOf, MAX_NAME };
