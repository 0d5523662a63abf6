// npm run demo: the example host under real WebSocket clients, legacy manager vs native.
// Each cycle is one browser session that asks the assistant for work, gets a prompt, and then
// answers it, vanishes without answering, or reconnects (a second tab), syncs and answers.
// Prints a table and writes demo-output/memory.svg (memory over cycles for both managers).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from './browser.mjs';
import cliProgress from 'cli-progress';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '25' },
    'timeout-ms': { type: 'string', default: '2000' },
    'grace-ms': { type: 'string', default: '1000' },
    out: { type: 'string', default: 'demo-output' },
    // --cluster N: the cluster demo (examples/cluster-demo.mjs) with N processes on one redis-server.
    cluster: { type: 'string' },
  },
});
if (values.cluster !== undefined) {
  const { runClusterDemo } = await import('./cluster-demo.mjs');
  const processes = Number(values.cluster);
  if (!Number.isInteger(processes) || processes < 2) {
    console.error('--cluster needs a number of processes, at least 2');
    process.exit(2);
  }
  process.exitCode = await runClusterDemo({
    processes,
    cycles: Math.ceil(Number(values.cycles) / 2),
    concurrency: Number(values.concurrency),
    timeoutMs: Number(values['timeout-ms']),
    graceMs: Number(values['grace-ms']),
  });
  process.exit();
}
const CYCLES = Number(values.cycles);
const CONCURRENCY = Number(values.concurrency);
// The native manager's timeout, shortened from 5 minutes so the run shows session-less prompts
// (which no removeSession can reach) being timed out within the minute.
const TIMEOUT_MS = Number(values['timeout-ms']);
// How long a vanished browser's prompts wait for a reload (the package default is 30 s).
const GRACE_MS = Number(values['grace-ms']);
const SAMPLE_EVERY = Math.max(1, Math.floor(CYCLES / 40));
const hostMain = new URL('./host/server/main.js', import.meta.url).pathname;

async function startHost(manager) {
  const args = ['--expose-gc', hostMain, '--manager', manager];
  if (manager === 'native') args.push('--timeout-ms', String(TIMEOUT_MS), '--grace-ms', String(GRACE_MS));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  const { url, statsUrl } = JSON.parse(String(line).split('\n')[0]);
  return { child, url, statsUrl };
}

const stats = async (host) => (await fetch(host.statsUrl)).json();

// One browser session; returns how it ended from the browser's side.
async function cycle(host, manager, i) {
  const session = `${manager}-session-${i}`;
  const tab = await connect(host.url, session);
  tab.send({ type: 'chat', text: 'please run ls' });
  const { interaction } = await tab.next('interaction-request');
  const mode = i % 10 < 5 ? 'answer' : i % 10 < 8 ? 'disconnect' : 'reload';
  if (mode === 'answer') {
    tab.send({ type: 'interaction-response', interactionId: interaction.id, response: { behavior: 'allow' } });
    await tab.next('interaction-resolved');
  } else if (mode === 'reload') {
    // The page reloads: the socket closes first, then a new one syncs and answers.
    await tab.close();
    const second = await connect(host.url, session);
    second.send({ type: 'interaction-sync-request', sessionIds: [session] });
    const { interactions } = await second.next('interaction-sync');
    second.send({ type: 'interaction-response', interactionId: interactions[0].id, response: { behavior: 'allow' } });
    await second.next('interaction-resolved');
    await second.close();
    return mode;
  }
  await tab.close();
  return mode;
}

async function run(manager, bar) {
  const host = await startHost(manager);
  const samples = [];
  const modes = { answer: 0, disconnect: 0, reload: 0, failed: 0 };
  let started = 0;
  let done = 0;
  const sample = async () => {
    const s = await stats(host);
    samples.push({ cycle: done, heap: s.memory.heapUsed + s.memory.external, rss: s.memory.rss, pending: s.pending });
  };
  await sample();
  const worker = async () => {
    while (started < CYCLES) {
      const i = started++;
      try {
        modes[await cycle(host, manager, i)]++;
      } catch {
        modes.failed++;
      }
      done++;
      bar.increment(1, { manager });
      if (done % SAMPLE_EVERY === 0) await sample();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  bar.stop();
  // Give the native manager's timeout and grace the time to end what was abandoned; same wait for both.
  await sleep(Math.max(TIMEOUT_MS, GRACE_MS) + 500);
  const final = await stats(host);
  samples.push({ cycle: done, heap: final.memory.heapUsed + final.memory.external, rss: final.memory.rss, pending: final.pending });
  host.child.kill('SIGTERM');
  await once(host.child, 'exit');
  return { manager, final, samples, modes };
}

const mb = (b) => (b / 1024 / 1024).toFixed(1);

function table(results) {
  const codes = [...new Set(results.flatMap((r) => Object.keys(r.final.tally.byCode)))].sort();
  const created = (r) => Object.entries(r.final.statistics).reduce((n, [k, v]) => (typeof v === 'object' ? n + v.total : n), 0);
  const rows = [
    ['browser sessions (answer / vanish / reload)', (r) => `${r.modes.answer} / ${r.modes.disconnect} / ${r.modes.reload}${r.modes.failed ? ` (+${r.modes.failed} failed)` : ''}`],
    ['interactions created', (r) => String(created(r))],
    ['answered', (r) => String(r.final.tally.answered)],
    ...codes.map((c) => [`settled with ${c}`, (r) => String(r.final.tally.byCode[c] ?? 0)]),
    ['still pending', (r) => String(r.final.pending)],
    ['data objects collected (FinalizationRegistry)', (r) => String(r.final.collected)],
    ['heap + external after GC, start → end', (r) => `${mb(r.samples[0].heap)} → ${mb(r.final.memory.heapUsed + r.final.memory.external)} MB`],
    ['rss, start → end', (r) => `${mb(r.samples[0].rss)} → ${mb(r.final.memory.rss)} MB`],
  ];
  const head = ['', ...results.map((r) => r.manager)];
  const body = rows.map(([label, f]) => [label, ...results.map(f)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i].length)));
  const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

// Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten.
function ticks(max, count = 5) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw);
  const out = [];
  for (let v = 0; v < max + step; v += step) out.push(v);
  return out;
}

function chart(results) {
  const W = 760, H = 400, L = 70, R = 30, T = 50, B = 60;
  const colors = { legacy: '#d9480f', native: '#2b8a3e' };
  const runEnd = Math.max(...results.flatMap((r) => r.samples.map((s) => s.cycle)), 1);
  // The last sample of each run is taken after the pause that lets timeouts and graces end:
  // it is drawn a little to the right of the run's end, over a shaded band.
  const pauseX = runEnd * 1.08;
  const yTicks = ticks(Math.max(...results.flatMap((r) => r.samples.map((s) => s.heap))) / 1024 / 1024);
  const maxY = yTicks[yTicks.length - 1] * 1024 * 1024;
  const xTicks = ticks(runEnd).filter((c) => c <= runEnd);
  const x = (c) => L + (c / pauseX) * (W - L - R);
  const y = (b) => H - B - (b / maxY) * (H - T - B);
  const lines = results.map((r) => {
    const run = r.samples.slice(0, -1);
    const last = r.samples[r.samples.length - 1];
    const pts = run.map((s) => `${x(s.cycle).toFixed(1)},${y(s.heap).toFixed(1)}`).join(' ');
    const end = run[run.length - 1];
    return [
      `<polyline fill="none" stroke="${colors[r.manager]}" stroke-width="2.5" points="${pts}"/>`,
      `<line x1="${x(end.cycle).toFixed(1)}" y1="${y(end.heap).toFixed(1)}" x2="${x(pauseX).toFixed(1)}" y2="${y(last.heap).toFixed(1)}" stroke="${colors[r.manager]}" stroke-width="2" stroke-dasharray="5 4"/>`,
      `<circle cx="${x(pauseX).toFixed(1)}" cy="${y(last.heap).toFixed(1)}" r="4" fill="${colors[r.manager]}"/>`,
    ].join('\n');
  });
  const legend = results.map(
    (r, i) =>
      `<rect x="${L + 10 + i * 230}" y="16" width="14" height="14" fill="${colors[r.manager]}"/><text x="${L + 30 + i * 230}" y="28">${r.manager}: ${r.final.pending} pending at the end</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<rect x="${x(runEnd)}" y="${T}" width="${x(pauseX) - x(runEnd)}" height="${H - T - B}" fill="#f1f3f5"/>
<text x="${(x(runEnd) + x(pauseX)) / 2}" y="${T - 6}" text-anchor="middle" font-size="10">pause</text>
${yTicks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${y(t * 1024 * 1024)}" y2="${y(t * 1024 * 1024)}" stroke="#ddd"/><text x="${L - 6}" y="${y(t * 1024 * 1024) + 4}" text-anchor="end">${t}</text>`).join('\n')}
${xTicks.map((c) => `<line x1="${x(c)}" x2="${x(c)}" y1="${H - B}" y2="${H - B + 5}" stroke="#333"/><text x="${x(c)}" y="${H - B + 18}" text-anchor="middle">${c}</text>`).join('\n')}
<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>
<text x="${(W + L) / 2}" y="${H - 14}" text-anchor="middle">browser sessions completed (then a pause of ${Math.max(TIMEOUT_MS, GRACE_MS) + 500} ms)</text>
<text x="18" y="${(H - B + T) / 2}" transform="rotate(-90 18 ${(H - B + T) / 2})" text-anchor="middle">heap + external after GC (MB)</text>
${lines.join('\n')}
${legend.join('\n')}
</svg>
`;
}

const bar = new cliProgress.SingleBar(
  { format: '{manager} |{bar}| {value}/{total} browser sessions', hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 },
  cliProgress.Presets.shades_classic,
);
const results = [];
for (const manager of ['legacy', 'native']) {
  bar.start(CYCLES, 0, { manager });
  results.push(await run(manager, bar));
}
console.log(`\n${CYCLES} browser sessions per manager, ${CONCURRENCY} at a time, on ws://127.0.0.1 (native: timeout ${TIMEOUT_MS} ms, reload grace ${GRACE_MS} ms)\n`);
console.log(table(results));
mkdirSync(values.out, { recursive: true });
const svgPath = `${values.out}/memory.svg`;
writeFileSync(svgPath, chart(results));
writeFileSync(`${values.out}/results.json`, JSON.stringify(results.map(({ manager, final, samples, modes }) => ({ manager, final, samples, modes })), null, 2));
console.log(`\nChart: ${svgPath}`);
const native = results.find((r) => r.manager === 'native');
process.exitCode = native.final.pending === 0 && native.modes.failed === 0 ? 0 : 1;
