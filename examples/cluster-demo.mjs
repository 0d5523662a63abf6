// npm run demo -- --cluster 3: the example host as N processes sharing one redis-server (started
// here on a free loopback port), under real WebSocket clients that reach a random process on every
// (re)connect, as behind a load balancer without sticky sessions. Midway, one process is killed
// with SIGKILL while it owns prompts, and started again. Prints what happened and checks that
// nothing is left pending and no key is left in Redis.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from './browser.mjs';
import { startRedis } from '../scripts/redis-server.js';

const hostMain = new URL('./host/server/main.js', import.meta.url).pathname;
const PREFIX = 'demo';
const HEARTBEAT_MS = 200;
const OWNER_TIMEOUT_MS = 1000;

async function startHost(redisUrl, instanceId, { timeoutMs, graceMs }) {
  const args = ['--expose-gc', hostMain, '--manager', 'cluster', '--redis-url', redisUrl, '--instance-id', instanceId];
  args.push('--timeout-ms', String(timeoutMs), '--grace-ms', String(graceMs), '--heartbeat-ms', String(HEARTBEAT_MS), '--owner-timeout-ms', String(OWNER_TIMEOUT_MS));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  const { url, statsUrl } = JSON.parse(String(line).split('\n')[0]);
  return { instanceId, child, url, statsUrl };
}

export async function runClusterDemo({ processes, cycles, concurrency, timeoutMs, graceMs }) {
  const redis = await startRedis();
  const hosts = [];
  for (let i = 0; i < processes; i++) hosts.push(await startHost(redis.url, `host-${i}`, { timeoutMs, graceMs }));
  const random = (except) => {
    const pool = hosts.filter((h) => h !== except && h.child.exitCode === null && h.child.signalCode === null);
    return pool[Math.floor(Math.random() * pool.length)];
  };
  const counts = { local: 0, remote: 0, reload: 0, ownerKilled: 0, ownerGoneSeen: 0, failed: 0 };
  const failures = [];

  async function cycle(i) {
    const session = `cluster-session-${i}`;
    const mode = ['local', 'local', 'remote', 'reload'][i % 4];
    const home = random();
    if (mode === 'remote') {
      // A second tab, on another process, sees the prompt there and answers it.
      const other = await connect(random(home).url, session);
      const tab = await connect(home.url, session);
      tab.send({ type: 'chat', text: 'please run ls' });
      const { interaction } = await other.next('interaction-request');
      other.send({ type: 'interaction-response', interactionId: interaction.id, response: { behavior: 'allow' } });
      await tab.next('interaction-resolved');
      await Promise.all([tab.close(), other.close()]);
    } else {
      const tab = await connect(home.url, session);
      tab.send({ type: 'chat', text: 'please run ls' });
      const { interaction } = await tab.next('interaction-request');
      if (mode === 'local') {
        tab.send({ type: 'interaction-response', interactionId: interaction.id, response: { behavior: 'allow' } });
        await tab.next('interaction-resolved');
        await tab.close();
      } else {
        // A reload: the socket closes, the new page lands on another process, syncs, answers.
        await tab.close();
        const again = await connect(random(home).url, session);
        again.send({ type: 'interaction-sync-request', sessionIds: [session] });
        const { interactions } = await again.next('interaction-sync');
        again.send({ type: 'interaction-response', interactionId: interactions[0].id, response: { behavior: 'allow' } });
        await again.next('interaction-resolved');
        await again.close();
      }
    }
    counts[mode]++;
  }

  // Sessions whose prompt lives on `victim` when it is killed; a second tab elsewhere watches.
  async function ownerKilled(victim, n) {
    const tabs = await Promise.all(
      Array.from({ length: n }, async (_, k) => {
        const session = `killed-session-${k}`;
        const watcher = await connect(random(victim).url, session);
        const tab = await connect(victim.url, session);
        tab.send({ type: 'chat', text: 'please run ls' });
        await tab.next('interaction-request');
        await watcher.next('interaction-request');
        return { tab, watcher };
      }),
    );
    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    // Any ending is taken, so that one other than OWNER_GONE (a timeout that came first on a
    // loaded machine) is named in the failures rather than waited out.
    const seen = await Promise.all(
      tabs.map(({ watcher }) =>
        watcher.next('interaction-rejected', OWNER_TIMEOUT_MS + HEARTBEAT_MS + 3000).then(
          (m) => m.code === 'OWNER_GONE' || (failures.push(`a killed owner's prompt ended ${m.code}, not OWNER_GONE`), false),
          (err) => (failures.push(err.message), false),
        ),
      ),
    );
    counts.ownerKilled += n;
    counts.ownerGoneSeen += seen.filter(Boolean).length;
    await Promise.all(tabs.map(({ watcher }) => watcher.close()));
  }

  let started = 0;
  const worker = async () => {
    while (started < cycles) {
      const i = started++;
      try {
        await cycle(i);
      } catch (err) {
        counts.failed++;
        if (failures.length < 5) failures.push(err.message);
      }
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const victim = hosts[0];
  await ownerKilled(victim, 20);
  hosts[0] = await startHost(redis.url, 'host-0-restarted', { timeoutMs, graceMs });
  started = 0;
  const secondHalf = cycles;
  const worker2 = async () => {
    while (started < secondHalf) {
      const i = cycles + started++;
      try {
        await cycle(i);
      } catch (err) {
        counts.failed++;
        if (failures.length < 5) failures.push(err.message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker2));
  const ran = Date.now() - t0;

  // Let timeouts and graces end what was abandoned (session-less prompts time out).
  await sleep(Math.max(timeoutMs, graceMs) + 500);
  const stats = await Promise.all(hosts.map(async (h) => (await fetch(h.statsUrl)).json()));
  const liveness = (k) => /^demo:(node:[^:]+(:inbox)?|events)$/.test(k);
  const keysRunning = redis.keys(PREFIX).filter((k) => !liveness(k));
  for (const h of hosts) h.child.kill('SIGTERM');
  await Promise.all(hosts.map((h) => once(h.child, 'exit')));
  const keysAfter = redis.keys(PREFIX).filter((k) => k !== `${PREFIX}:events`);
  await redis.stop();

  const rows = [
    ['answered locally (same process)', counts.local],
    ['answered on another process (a second tab there)', counts.remote],
    ['reloaded to another process, synced and answered there', counts.reload],
    ['owner killed with SIGKILL (prompts on it)', counts.ownerKilled],
    ['  ... OWNER_GONE seen by their tab on another process', counts.ownerGoneSeen],
    ['failed browser sessions', counts.failed],
    // The tool callbacks' side, on the processes alive at the end (the killed one took its own).
    ['tool callbacks answered (processes alive at the end)', stats.reduce((n, st) => n + st.tally.answered, 0)],
    ...[...new Set(stats.flatMap((st) => Object.keys(st.tally.byCode)))].sort().map((code) => [`tool callbacks ended ${code}`, stats.reduce((n, st) => n + (st.tally.byCode[code] ?? 0), 0)]),
    ['pending at the end, per process', stats.map((s) => s.pending).join(' / ')],
    ['Redis keys left, running (besides liveness keys)', keysRunning.length],
    ['Redis keys left after close (besides the expiring events stream)', keysAfter.length],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const vw = Math.max(5, ...rows.map((r) => String(r[1]).length));
  console.log(`\n${processes} processes on one redis-server, ${2 * cycles} browser sessions, ${concurrency} at a time, in ${(ran / 1000).toFixed(1)} s (timeout ${timeoutMs} ms, reload grace ${graceMs} ms, heartbeat ${HEARTBEAT_MS} ms, owner timeout ${OWNER_TIMEOUT_MS} ms)\n`);
  console.log(`| ${'browser sessions'.padEnd(width)} | ${'count'.padStart(vw)} |\n|${'-'.repeat(width + 2)}|${'-'.repeat(vw + 2)}|`);
  for (const [label, value] of rows) console.log(`| ${label.padEnd(width)} | ${String(value).padStart(vw)} |`);
  if (failures.length) console.log(`\nfirst failures: ${failures.join('; ')}`);
  if (keysRunning.length || keysAfter.length) console.log(`\nkeys left: ${[...keysRunning, ...keysAfter].join(', ')}`);
  const ok = counts.failed === 0 && counts.ownerGoneSeen === counts.ownerKilled && stats.every((s) => s.pending === 0) && keysRunning.length === 0 && keysAfter.length === 0;
  return ok ? 0 : 1;
}
