// Types of the ES-module entry (index.mjs): the same declarations as the CommonJS entry's.
export * from './index.js';
import * as cjs from './index.js';
export default cjs;
