// ES-module entry: the host does `import { getInteractionManager } from '<package>'`.
import cjs from './index.js';

export const { InteractionManager, ClusterInteractionManager, ClusterError, InteractionError, getInteractionManager, resetInteractionManager, configureInteractionManager, DEFAULTS } = cjs;
export default cjs;
