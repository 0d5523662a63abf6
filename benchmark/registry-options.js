'use strict';
// The options object the binding's `create` takes, for the scripts that call the binding
// directly (crossing-floor.js, timer-designs.js); the package builds the same from its options.
const { DEFAULTS } = require('..');

module.exports = (overrides = {}) => ({
  interactionTimeoutMs: DEFAULTS.interactionTimeoutMs,
  staleThresholdMs: DEFAULTS.staleThresholdMs,
  maxInteractionsPerSession: DEFAULTS.maxInteractionsPerSession,
  maxPendingTotal: DEFAULTS.maxPendingTotal,
  requireSessionMatch: false,
  rateLimitMax: 0,
  rateLimitWindowMs: 0,
  maxTypes: DEFAULTS.maxTypes,
  ...overrides,
});
