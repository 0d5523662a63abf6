// The host's whole change: this file re-exports the native package.
// (In your server the specifier is the package name: 'native-interaction-manager'.)
export { InteractionManager, ClusterInteractionManager, getInteractionManager, resetInteractionManager } from '../../../../index.mjs';
