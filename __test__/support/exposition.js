'use strict';
// A strict check of the Prometheus text format (0.0.4) and of OpenMetrics text (1.0.0): every
// sample belongs to a family declared once by # TYPE before it, names and labels are well
// formed, no sample repeats, histogram buckets are cumulative and end at +Inf = _count, and an
// OpenMetrics exposition ends with # EOF. Returns the samples, or throws naming the bad line.

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (\\S+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const SUFFIXES = { counter: ['_total', '_created', ''], gauge: [''], histogram: ['_bucket', '_sum', '_count', '_created'], summary: ['', '_sum', '_count', '_created'], untyped: [''], unknown: [''] };

function parseLabels(text, line) {
  const labels = {};
  let rest = text ?? '';
  while (rest.length > 0) {
    const m = rest.match(LABEL);
    if (!m) throw new Error(`bad labels in: ${line}`);
    if (m[1] in labels) throw new Error(`label ${m[1]} repeated in: ${line}`);
    labels[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  return labels;
}

function checkExposition(text, { openMetrics = false } = {}) {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (openMetrics) {
    if (lines[lines.length - 1] !== '# EOF') throw new Error('OpenMetrics exposition does not end with # EOF');
    lines.pop();
    if (lines.includes('# EOF')) throw new Error('# EOF before the end');
  }
  const types = new Map();
  const seen = new Set();
  const samples = [];
  for (const line of lines) {
    if (line === '') {
      if (openMetrics) throw new Error('blank line in OpenMetrics');
      continue;
    }
    if (line.startsWith('#')) {
      const m = line.match(new RegExp(`^# (HELP|TYPE|UNIT) (${NAME})(?: (.*))?$`));
      if (!m) throw new Error(`bad comment line: ${line}`);
      if (m[1] === 'TYPE') {
        if (types.has(m[2])) throw new Error(`# TYPE ${m[2]} repeated`);
        if (!(m[3] in SUFFIXES)) throw new Error(`unknown type in: ${line}`);
        types.set(m[2], m[3]);
      }
      continue;
    }
    const m = line.match(SAMPLE);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const [, name, labelText, valueText] = m;
    // As Prometheus parses values (Go's ParseFloat): NaN and Inf in any case. prom-client's
    // default event-loop metrics write "Nan" before their first sample.
    const special = { nan: NaN, '+inf': Infinity, inf: Infinity, '-inf': -Infinity }[valueText.toLowerCase()];
    const value = special ?? (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(valueText) ? Number(valueText) : undefined);
    if (value === undefined && special === undefined) throw new Error(`bad value in: ${line}`);
    const family = [...types.keys()].find((f) => SUFFIXES[types.get(f)].some((s) => name === f + s));
    if (family === undefined) throw new Error(`sample before (or without) its # TYPE: ${line}`);
    if (openMetrics && types.get(family) === 'counter' && !name.endsWith('_total') && !name.endsWith('_created')) {
      throw new Error(`OpenMetrics counter sample without _total: ${line}`);
    }
    const labels = parseLabels(labelText, line);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`sample repeated: ${line}`);
    seen.add(key);
    samples.push({ family, type: types.get(family), name, labels, value });
  }
  checkHistograms(samples);
  return samples;
}

function checkHistograms(samples) {
  const series = new Map();
  for (const s of samples.filter((x) => x.type === 'histogram')) {
    const { le, ...rest } = s.labels;
    const key = `${s.family}${JSON.stringify(Object.entries(rest).sort())}`;
    if (!series.has(key)) series.set(key, { buckets: [], count: undefined });
    const h = series.get(key);
    if (s.name.endsWith('_bucket')) h.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    if (s.name.endsWith('_count')) h.count = s.value;
  }
  for (const [key, h] of series) {
    const sorted = [...h.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.length === 0 || sorted[sorted.length - 1][0] !== Infinity) throw new Error(`${key}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++) if (sorted[i][1] < sorted[i - 1][1]) throw new Error(`${key}: buckets not cumulative`);
    if (sorted[sorted.length - 1][1] !== h.count) throw new Error(`${key}: +Inf bucket is not _count`);
  }
}

module.exports = { checkExposition };
