// A browser tab of the demos: a WebSocket to the example host for one session, whose messages
// are waited for by type (or by a test of the whole message).
import { once } from 'node:events';
import WebSocket from 'ws';

export function connect(url, session) {
  const ws = new WebSocket(`${url}/?session=${encodeURIComponent(session)}`);
  const inbox = [];
  const waiters = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw);
    const i = waiters.findIndex((w) => w.test(msg));
    if (i >= 0) waiters.splice(i, 1)[0].resolve(msg);
    else inbox.push(msg);
  });
  ws.on('error', () => {});
  const next = (type, ms = 5000, test = (m) => m.type === type) => {
    const i = inbox.findIndex(test);
    if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      waiters.push({ test, resolve });
      setTimeout(() => reject(new Error(`no ${type} within ${ms} ms`)), ms).unref();
    });
  };
  const send = (msg) => ws.send(JSON.stringify(msg));
  const close = async () => {
    if (ws.readyState === ws.CLOSED) return;
    ws.close();
    await once(ws, 'close');
  };
  return once(ws, 'open').then(() => ({ ws, next, send, close }));
}
