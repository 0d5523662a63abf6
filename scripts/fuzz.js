'use strict';
// npm run fuzz -- --seconds N --seed S [--sequences K]: random operation sequences against the
// native manager and the pure-JS baseline until time runs out (or K sequences ran); on the first
// difference, shrinks the sequence and prints it with the differing outcomes, and exits 1.
const { parseArgs } = require('node:util');
const { generate, compare, shrink } = require('../__test__/support/differential');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
    length: { type: 'string', default: '40' },
    sequences: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
  },
});
const until = Date.now() + Number(values.seconds) * 1000;
let seed = Number(values.seed);
let sequences = 0;

(async () => {
  const limit = Number(values.sequences);
  while (Date.now() < until && sequences < limit) {
    const scenario = generate(seed, Number(values.length));
    const diff = await compare(scenario);
    sequences++;
    if (diff) {
      console.log(`difference at seed ${seed}; shrinking ${scenario.ops.length} operations...`);
      const small = await shrink(scenario);
      console.log(JSON.stringify({ seed, options: small.options, ops: small.ops }, null, 1));
      console.log('first difference:', JSON.stringify(await compare(small), null, 1));
      process.exit(1);
    }
    seed++;
  }
  console.log(`${sequences} sequences, seeds ${values.seed}..${seed - 1}: no difference`);
})();
