'use strict';
// The package's entry: the classes, the process-wide manager, and the exports. Each class lives
// in lib/ (docs/architecture.md follows one interaction through them).

const { InteractionManager } = require('./lib/manager.js');
const { ClusterInteractionManager } = require('./lib/cluster.js');
const { InteractionError, ClusterError } = require('./lib/errors.js');
const { DEFAULTS, readOptions, fromEnvironment } = require('./lib/options.js');

let instance = null;
let configured = {};

/** The process-wide manager, created on first call with the environment's options (see
 * lib/options.js), overridden by those given to configureInteractionManager. */
function getInteractionManager() {
  if (instance === null) instance = new InteractionManager({ ...fromEnvironment(), ...configured });
  return instance;
}

function resetInteractionManager() {
  if (instance !== null) instance.shutdown();
  instance = null;
}

/** Sets the options the process-wide manager will be created with; an error once it exists. */
function configureInteractionManager(options) {
  if (instance !== null) {
    throw new Error('configureInteractionManager: the manager already exists; call it before the first getInteractionManager() (or after resetInteractionManager())');
  }
  readOptions(options); // a bad option throws here, where it was given
  configured = { ...options };
}

module.exports = {
  InteractionManager,
  ClusterInteractionManager,
  ClusterError,
  InteractionError,
  getInteractionManager,
  resetInteractionManager,
  configureInteractionManager,
  DEFAULTS,
};
