// The example host (examples/host) in a child process with --expose-gc, under real WebSocket
// clients that connect, receive a prompt and vanish without answering.
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const path = require('node:path');
const WebSocket = require('ws');
const { checkExposition } = require('./support/exposition');

const MAIN = path.join(__dirname, '..', 'examples', 'host', 'server', 'main.js');
const CLIENTS = 300;

async function startHost(args) {
  const child = spawn(process.execPath, ['--expose-gc', MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  return { child, ...JSON.parse(String(line).split('\n')[0]) };
}

const stats = async (host) => (await fetch(host.statsUrl)).json();

/** A browser that opens a session, asks for work, waits for the prompt and goes away. */
async function vanishingBrowser(url, session) {
  const ws = new WebSocket(`${url}/?session=${session}`);
  await once(ws, 'open');
  const prompt = new Promise((resolve) =>
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw);
      if (msg.type === 'interaction-request') resolve(msg.interaction);
    }),
  );
  ws.send(JSON.stringify({ type: 'chat', text: 'run something' }));
  const interaction = await prompt;
  ws.close();
  await once(ws, 'close');
  return interaction;
}

async function crowd(host, prefix) {
  for (let i = 0; i < CLIENTS; i += 30) {
    await Promise.all(Array.from({ length: 30 }, (_, k) => vanishingBrowser(host.url, `${prefix}-${i + k}`)));
  }
}

async function until(check, ms = 10_000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await check();
    if (last.done) return last.value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last.value;
}

describe('example host under real WebSocket clients', () => {
  const hosts = [];
  afterAll(async () => {
    for (const h of hosts) {
      h.child.kill('SIGTERM');
      await once(h.child, 'exit');
    }
  });

  test('native: nothing stays pending and every abandoned prompt\'s data is collected', async () => {
    const host = await startHost(['--manager', 'native', '--timeout-ms', '300', '--grace-ms', '200']);
    hosts.push(host);
    await crowd(host, 'native');
    const s = await until(async () => {
      const s = await stats(host);
      return { done: s.pending === 0 && s.collected === s.statistics.permission.total + s.statistics['plan-approval'].total + s.statistics['ask-user'].total, value: s };
    });
    const created = ['permission', 'plan-approval', 'ask-user'].reduce((n, t) => n + s.statistics[t].total, 0);
    expect(created).toBe(CLIENTS + CLIENTS / 10); // every 10th chat adds a session-less prompt
    expect(s.pending).toBe(0);
    expect(s.statistics.sessionCount).toBe(0);
    expect(s.tally.byCode).toEqual({ SESSION_REMOVED: CLIENTS, TIMEOUT: CLIENTS / 10 });
    expect(s.collected).toBe(created);
  });

  test('legacy: the pending count grows with every vanished browser', async () => {
    const host = await startHost(['--manager', 'legacy']);
    hosts.push(host);
    const before = await stats(host);
    await crowd(host, 'legacy');
    const s = await stats(host);
    expect(before.pending).toBe(0);
    expect(s.pending).toBe(CLIENTS + CLIENTS / 10);
    expect(s.collected).toBe(0);
  });
});

describe('example host: reloads and metrics', () => {
  test('a reloaded page (socket closed, new socket syncs within the grace) still answers its prompt', async () => {
    const host = await startHost(['--manager', 'native', '--grace-ms', '2000']);
    try {
      const session = 'reloading';
      const first = new WebSocket(`${host.url}/?session=${session}`);
      await once(first, 'open');
      const prompt = new Promise((resolve) => first.on('message', (raw) => resolve(JSON.parse(raw))));
      first.send(JSON.stringify({ type: 'chat' }));
      const { interaction } = await prompt;
      first.close();
      await once(first, 'close');
      await new Promise((r) => setTimeout(r, 100));
      const second = new WebSocket(`${host.url}/?session=${session}`);
      await once(second, 'open');
      const messages = [];
      const resolved = new Promise((resolve) =>
        second.on('message', (raw) => {
          const msg = JSON.parse(raw);
          messages.push(msg);
          if (msg.type === 'interaction-sync') second.send(JSON.stringify({ type: 'interaction-response', interactionId: msg.interactions[0].id, response: { behavior: 'allow' } }));
          if (msg.type === 'interaction-resolved') resolve(msg);
        }),
      );
      second.send(JSON.stringify({ type: 'interaction-sync-request', sessionIds: [session] }));
      expect((await resolved).interactionId).toBe(interaction.id);
      second.close();
      // /metrics is prom-client's registry: the manager's metrics beside Node's default ones,
      // strictly well formed in both formats.
      const url = host.statsUrl.replace('/stats', '/metrics');
      const text = await fetch(url);
      expect(text.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const samples = checkExposition(await text.text());
      expect(samples.find((x) => x.name === 'interaction_manager_settled_total' && x.labels.code === 'RESOLVED' && x.labels.type === 'permission').value).toBe(1);
      expect(samples.some((x) => x.name === 'nodejs_heap_size_used_bytes')).toBe(true);
      const open = await fetch(url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
      expect(open.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
      const openSamples = checkExposition(await open.text(), { openMetrics: true });
      expect(openSamples.find((x) => x.name === 'interaction_manager_settled_total' && x.labels.code === 'RESOLVED' && x.labels.type === 'permission').value).toBe(1);
    } finally {
      host.child.kill('SIGTERM');
      await once(host.child, 'exit');
    }
  });
});
