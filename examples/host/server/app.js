// The example host: a WebSocket server on loopback wired to the interaction manager the way
// users should copy. The two lines that matter are marked WIRING.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import client from 'prom-client';
import { registerMetrics } from '../../../prom-client.mjs';
import { InteractionManager, ClusterInteractionManager } from './services/interactionManager.js';
import { InteractionManager as LegacyInteractionManager } from './services/legacyInteractionManager.js';
import { createAssistant } from './assistant.js';

/**
 * manager: 'native' (the package, with the documented wiring), 'cluster' (the same, one of several
 * processes sharing interactions through Redis: `cluster` gives connect's options) or 'legacy'
 * (the unfixed manager with the host's wiring as it is today: nothing is removed when a browser
 * goes away). Every SESSIONLESS_EVERY-th chat also starts a tool call of an assistant session with
 * no id yet.
 */
export async function startHost({ manager = 'native', port = 0, interactionTimeoutMs, graceMs = 30_000, sessionlessEvery = 10, cluster } = {}) {
  const legacy = manager === 'legacy';
  const options = interactionTimeoutMs === undefined ? {} : { interactionTimeoutMs };
  let im;
  if (legacy) im = new LegacyInteractionManager();
  else if (manager === 'cluster') im = await ClusterInteractionManager.connect({ ...cluster, ...options }); // WIRING (cluster)
  else im = new InteractionManager(options);
  let collected = 0;
  const freed = new FinalizationRegistry(() => collected++);
  const assistant = createAssistant(im, { onData: (data) => freed.register(data, null) });
  const sockets = new Map(); // sessionId -> Set<WebSocket>
  let chats = 0;

  const send = (ws, msg) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(msg));
  const toSession = (sessionId, msg) => {
    for (const ws of sockets.get(sessionId) ?? []) send(ws, msg);
  };
  im.on('interaction-request', (i) => toSession(i.sessionId, { type: 'interaction-request', interaction: i }));
  im.on('interaction-resolved', (e) => toSession(e.sessionId, { type: 'interaction-resolved', ...e }));
  // The browsers drop a dialog that ended any other way (timeout, abort, session removed...).
  im.on('interaction-rejected', (e) => toSession(e.sessionId, { type: 'interaction-rejected', ...e }));

  // /metrics through prom-client, the manager's metrics beside Node's default ones; the
  // OpenMetrics format for a scraper that asks for it.
  const registries = legacy ? null : [client.Registry.PROMETHEUS_CONTENT_TYPE, client.Registry.OPENMETRICS_CONTENT_TYPE].map((type) => {
    const registry = new client.Registry(type);
    client.collectDefaultMetrics({ register: registry });
    registerMetrics(registry, { manager: im }); // WIRING (metrics)
    return registry;
  });

  const server = http.createServer((req, res) => {
    if (req.url === '/stats') {
      sendStats(res);
      return;
    }
    if (req.url === '/metrics' && registries) {
      const registry = registries[(req.headers.accept || '').includes('application/openmetrics-text') ? 1 : 0];
      registry.metrics().then((text) => {
        res.setHeader('content-type', registry.contentType);
        res.end(text);
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });

  // Forces GC (with --expose-gc) and lets FinalizationRegistry callbacks run before reading.
  async function sendStats(res) {
    for (let i = 0; i < 3; i++) {
      globalThis.gc?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const mem = process.memoryUsage();
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        manager,
        instanceId: im.instanceId,
        pending: im.getPendingCount(),
        statistics: im.getStatistics(),
        tally: assistant.tally,
        collected,
        memory: { heapUsed: mem.heapUsed, external: mem.external, rss: mem.rss, gc: typeof globalThis.gc === 'function' },
      }),
    );
  }
  const wss = new WebSocketServer({ server });

  wss.on('connection', (ws, req) => {
    const sessionId = new URL(req.url, 'http://host').searchParams.get('session') || null;
    if (sessionId) {
      if (!sockets.has(sessionId)) sockets.set(sessionId, new Set());
      sockets.get(sessionId).add(ws);
    }
    ws.on('message', (raw) => handle(raw).catch((err) => send(ws, { type: 'error', error: err.code ?? err.message })));
    async function handle(raw) {
      let msg;
      try {
        msg = JSON.parse(raw);
      } catch {
        return send(ws, { type: 'error', error: 'bad_json' });
      }
      if (msg?.type === 'chat') {
        const sessionless = sessionlessEvery > 0 && ++chats % sessionlessEvery === 0;
        assistant.toolCall(sessionId);
        if (sessionless) assistant.toolCall(null);
      } else if (msg?.type === 'interaction-response') {
        // WIRING: answer as the sender's session, so one browser cannot answer another's prompt.
        // (`await`: in cluster mode the answer may go to another process; harmless otherwise.)
        const result = await im.resolveInteraction(msg.interactionId, msg.response, sessionId);
        if (!result.success) send(ws, { type: 'interaction-response-error', interactionId: msg.interactionId, ...result });
      } else if (msg?.type === 'interaction-sync-request') {
        // WIRING: a browser of the session is back (a reload): its prompts are kept.
        if (!legacy) im.attachSession(sessionId);
        const ids = Array.isArray(msg.sessionIds) ? msg.sessionIds.filter((s) => typeof s === 'string') : [];
        // (`await`: in cluster mode the list comes from every process.)
        send(ws, { type: 'interaction-sync', interactions: await im.getPendingInteractions(ids) });
      }
    }
    ws.on('close', () => {
      const mine = sessionId && sockets.get(sessionId);
      if (!mine) return;
      mine.delete(ws);
      if (mine.size > 0) return;
      sockets.delete(sessionId);
      // WIRING: the session's last browser is gone. It may only be reloading, so its prompts
      // wait for the grace period, then end (SESSION_REMOVED) unless a browser syncs again.
      // (The legacy host forgot this; the native manager's timeouts cover a host that does.)
      if (!legacy) im.detachSession(sessionId, { graceMs });
    });
  });

  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${server.address().port}`,
    statsUrl: `http://127.0.0.1:${server.address().port}/stats`,
    manager: im,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
      await im.shutdown();
    },
  };
}
