// Types of the ES-module entry prom-client.mjs: the same declarations as prom-client.d.ts.
export * from './prom-client.js';
import * as cjs from './prom-client.js';
export default cjs;
