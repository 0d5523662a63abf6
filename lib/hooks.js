'use strict';
// The one internal hook of cluster mode (lib/cluster.js), keyed by symbols no host code has:
// `[kObserve]({ requested(event, tag), ended(name, event), guard() })` makes the manager hand its
// events to the observer instead of emitting them, and call `guard()` before anything that can
// register or settle an interaction (cluster mode fences there a process that lost its lease),
// and `[kRequest](request, tag)` is requestInteraction with a value passed through to
// `requested`.
const kObserve = Symbol('InteractionManager.observe');
const kRequest = Symbol('InteractionManager.request');
// `[kFence]()`: ends every pending interaction OWNER_GONE and keeps taking requests (cluster
// mode, when this process can no longer prove it is alive).
const kFence = Symbol('InteractionManager.fence');

module.exports = { kObserve, kRequest, kFence };
