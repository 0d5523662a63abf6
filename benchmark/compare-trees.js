'use strict';
// node benchmark/compare-trees.js <before> <after> [runs]: the cycle and memory rows of two
// built checkouts of this repository (say, before and after a change), native and baseline
// interleaved, median of `runs` fresh processes each (default 5), on the Node that runs this;
// then the cycle paired in one process (paired-cycle.js), plain and with timeouts listened to.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const [before, after, runs = '5'] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node benchmark/compare-trees.js <before> <after> [runs]');
  process.exit(2);
}
const once = (tree, impl, metric) =>
  JSON.parse(execFileSync(process.execPath, ['--expose-gc', path.join(path.resolve(tree), 'benchmark', 'run-one.js'), impl, metric], { encoding: 'utf8' }).trim().split('\n').pop());
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

const rows = {};
for (const metric of ['cycle', 'memory']) {
  for (let i = 0; i < Number(runs); i++) {
    for (const [name, tree] of [['before', before], ['after', after]]) {
      for (const impl of ['baseline', 'native']) {
        for (const [k, x] of Object.entries(once(tree, impl, metric))) {
          if (typeof x === 'number') (rows[`${metric} ${k}, ${impl}`] ??= { before: [], after: [] })[name].push(x);
        }
      }
    }
  }
}
console.log(`${process.version}, ${runs} runs each\n\n| figure | before | after |\n|---|---|---|`);
for (const [label, { before: b, after: a }] of Object.entries(rows)) console.log(`| ${label} | ${median(b).toFixed(1)} | ${median(a).toFixed(1)} |`);
// The fresh-process cycle figures above move by 20-30 % between runs on a shared VM; the paired
// in-process measure is the one to quote for the cycle.
for (const extra of [[], ['--listened']]) {
  console.log(execFileSync(process.execPath, [path.join(__dirname, 'paired-cycle.js'), before, after, '12', ...extra], { encoding: 'utf8' }).trim());
}
