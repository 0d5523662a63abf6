// ES-module entry of native-interaction-manager/prom-client.
import cjs from './prom-client.js';

export const { registerMetrics } = cjs;
export default cjs;
