'use strict';
// The fault suite: three host processes (fixtures/fault-host.cjs), each behind its own proxy
// (support/proxy.js), on a real redis-server, under load (every process requests, and every
// process answers what it sees, so answers race), while a fault is injected for real. Every
// process records its history; the checker (support/checker.js) judges it afterwards against
// the invariants of cluster mode. `npm run test:faults` runs each fault more rounds
// (FAULT_ROUNDS). docs/cluster.md (Fault suite) describes it.
//
// A scenario the current code fails is a `test.failing` naming its defect: it passes while the
// checker finds that defect's violations, and turns into a failure once they are gone (or if
// the scenario itself broke), so whoever fixes the defect makes it a plain `test`.

const fs = require('node:fs');
const path = require('node:path');
const { startCluster, closeAll, sleep } = require('./support/faults.js');
const { until } = require('./support/cluster.js');
const { describe: explain } = require('./support/checker.js');

const ROUNDS = Math.max(1, Number(process.env.FAULT_ROUNDS || 1));
const HEARTBEAT = 200;
const OWNER_TIMEOUT = 1000;
// Each process: a request every 25 ms (timeout 1.2 s); answers 80 % of the requests it sees,
// 80 to 400 ms after it sees them, a fifth of them rejections: about 2.4 answers racing for each
// interaction, many of them across the fault. Two known defects are rare races that any fault
// can hit, so the load keeps clear of them, each shown by a scenario of its own below: the
// answers keep well before the deadline, even when a 500 ms fault delays them (an answer claimed
// just before the owner's timeout), and none comes within 80 ms of the request (a record
// published after its owner answered it).
const LOAD = { everyMs: 25, answerP: 0.8, rejectP: 0.2, minDelayMs: 80, maxDelayMs: 400, timeoutMs: 1200 };
// Load before the first fault, and after each (answers still racing across the fault).
const WARM_MS = 400;
const GAP_MS = 500;

jest.setTimeout(60_000 + ROUNDS * 20_000);
afterAll(closeAll);

// An unexpected outcome keeps its run for whoever looks into it: the violations, the fault
// windows and the whole history, in target/fault-histories/ (not committed).
function keep(title, c, violations) {
  const dir = path.join(__dirname, '..', 'target', 'fault-histories');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify({ title, violations, windows: c.windows, history: c.history() }));
  return file;
}

// One run: start, load, inject the fault `repeat` times a round (`gapMs` after each), stop the
// load, let everything end, check. `shows`: for a known defect, the invariants it breaks; the
// run stops early once one of them is broken for good (a violation not provisional), as the
// outcome is then decided.
async function runScenario(title, spec, shows = []) {
  const { cluster = {}, load = {}, inject, repeat = 1, gapMs = GAP_MS, effect } = spec;
  const c = await startCluster({ heartbeatMs: HEARTBEAT, ownerTimeoutMs: OWNER_TIMEOUT, ...cluster });
  const shown = () => c.check().some((v) => !v.provisional && shows.includes(v.invariant));
  let violations;
  let exits;
  try {
    await c.load({ ...LOAD, ...load });
    await sleep(WARM_MS);
    for (let i = 0; i < ROUNDS * repeat && !shown(); i++) {
      await inject(c);
      await sleep(gapMs);
    }
    await c.stop();
    violations = await c.settle({ timeoutMs: load.timeoutMs ?? LOAD.timeoutMs, enough: shown });
    const expected = shows.length === 0 ? violations.length === 0 : violations.some((v) => shows.includes(v.invariant));
    if (!expected) console.error(`${title}: unexpected outcome, its run is in ${keep(title, c, violations)}`);
    // The fault did happen (a fault Redis refused, or one nobody noticed, proves nothing).
    if (effect) effect(c);
  } finally {
    exits = await c.close();
  }
  // No crash, no unhandled rejection: every process still running closes and exits 0.
  expect(exits.filter((e) => e.code !== 0)).toEqual([]);
  return violations;
}

function scenario(title, spec) {
  test(title, async () => {
    const violations = await runScenario(title, spec);
    expect(explain(violations)).toBe(explain([]));
  });
}

// Only the defect's own invariants make this (expected) failure; anything else (the scenario
// broke, other violations only) returns, which Jest reports as a failure.
function knownDefect(title, defect, shows, spec) {
  test.failing(`${title} [defect: ${defect}]`, async () => {
    let violations;
    try {
      violations = await runScenario(title, spec, shows);
    } catch (err) {
      console.error(`${title}: the scenario itself failed, not the invariants:`, err);
      return;
    }
    if (violations.some((v) => shows.includes(v.invariant))) throw new Error(`${defect}\n${explain(violations)}`);
    if (violations.length > 0) console.error(`${title}: ${defect} is gone, but:\n${explain(violations)}`);
  });
}

// A known defect of before this issue that the code no longer shows: a plain scenario now, named
// for the defect it used to show (the fault that showed it is kept).
function fixedDefect(title, defect, shows, spec) {
  scenario(`${title} [fixed: ${defect}]`, spec);
}

// A defect of which one part is fixed (its invariants never show) while another remains, whose
// invariants a run may or may not show: everything but the remaining part must hold.
function partlyFixed(title, fixed, remains, remaining, spec) {
  test(`${title} [fixed: ${fixed}; remains: ${remains}]`, async () => {
    const violations = await runScenario(title, spec, remaining);
    expect(explain(violations.filter((v) => !remaining.includes(v.invariant)))).toBe(explain([]));
  });
}

// A known defect that a run shows only some of the time (it needs a write in flight at the cut,
// or a round trip slow enough at the wrong moment): a certain outcome either way is not to be had
// in one short run, so `npm test` skips it and `npm run test:faults` (FAULT_ROUNDS > 1) runs it.
function intermittentDefect(title, defect, shows, spec) {
  if (ROUNDS > 1) knownDefect(title, defect, shows, spec);
  else test.skip(`${title} [defect, intermittent: ${defect}; run by npm run test:faults]`, () => {});
}

const loggedDown = (c, name) => expect(c.logged(name).some((t) => /Redis unreachable/.test(t))).toBe(true);
const cli = (...args) => (c) => c.cli(...args);

describe('faults the current code survives', () => {
  scenario('owner SIGKILLed under load, then a new process (new instanceId) in its place', {
    inject: async (c) => {
      // It stops answering first: killed right after its own answer is a known defect, below.
      await c.host(0).call('stop');
      await sleep(100);
      await c.kill(0);
      await c.restart(0, { sameId: false });
      await c.host(0).call('load', LOAD);
    },
  });

  scenario('redis-server killed and restarted (empty) under load', {
    inject: async (c) => {
      // Down for less than the lease: longer, every process fences (docs/cluster.md), which
      // is the fencing scenarios' business, not this one's.
      await c.redis.stop();
      await sleep(100);
      await c.redis.start();
    },
    effect: (c) => ['host0', 'host1', 'host2'].forEach((n) => expect(c.logged(n).some((t) => /reachable again/.test(t))).toBe(true)),
  });

  scenario('one process partitioned by its proxy (hold) for 500 ms < ownerTimeoutMs', {
    inject: (c) => c.partition(0, 500, 'hold'),
  });

  scenario('one process SIGSTOPped for 500 ms < ownerTimeoutMs, then SIGCONT', {
    inject: (c) => c.pause(0, 500),
  });

  scenario('DEBUG SLEEP 0.5 s < ownerTimeoutMs', { inject: cli('DEBUG', 'SLEEP', '0.5') });

  // Two more ways the broker holds everyone up, in one run (each shorter than ownerTimeoutMs).
  scenario('CLIENT PAUSE 500 ms ALL, then Redis out of memory (CONFIG SET maxmemory 1) for 500 ms', {
    inject: async (c) => {
      await c.cli('CLIENT', 'PAUSE', '500', 'ALL');
      await sleep(1000);
      await c.cli('CONFIG', 'SET', 'maxmemory', '1');
      await sleep(500);
      await c.cli('CONFIG', 'SET', 'maxmemory', '0');
    },
    effect: (c) => expect(c.logged('host0').some((t) => /OOM/.test(t))).toBe(true),
  });
});

describe('known defects (test.failing until fixed), and defects fixed since (plain scenarios)', () => {
  // What a cut flow still shows once the owner's two successes and its settling after a reap are
  // fixed (acknowledged answers, fencing): not every cut catches a write in flight, hence the
  // repeats.
  const REPLAYED = 'a write in flight when its flow was cut is replayed once the flow is back: its ending is published twice (replays are not idempotent yet)';
  // The owner whose link is down answers its own interactions locally, while the others still
  // claim the same records in Redis (routed to its inbox): two { success: true }.
  const TWO_SUCCESSES = 'an owner cut off for less than ownerTimeoutMs answers locally while another process claims remotely: two successes';
  // One cut shows the defect most of the time, not always: up to four make it certain in
  // practice (the run stops at the first that shows it).
  intermittentDefect('the proxy of one process resets every flow (RST), up to ten times', REPLAYED, ['ending'], {
    repeat: 10,
    inject: (c) => c.proxies[0].reset(),
    effect: (c) => loggedDown(c, 'host0'),
  });

  // Every process cut at once: the defect needs one back up while an owner is still down.
  // Processes started together come back together (their heartbeats in step, and the writer
  // resyncs on a heartbeat), and then none may show it in a whole run; started a third of a
  // heartbeat apart, as processes in production are, they show it at every cut.
  fixedDefect('CLIENT KILL of every client, up to four times', TWO_SUCCESSES, ['success'], {
    cluster: { stagger: true },
    repeat: 4,
    gapMs: 400,
    inject: cli('CLIENT', 'KILL', 'TYPE', 'normal'),
    effect: (c) => loggedDown(c, 'host1'),
  });

  intermittentDefect(
    'one process SIGSTOPped and another partitioned (hold), each for 2 s > ownerTimeoutMs (fenced: it no longer settles what the others ended)',
    REPLAYED,
    ['ending'],
    // Not every cut catches a write in flight: up to ten.
    { repeat: 10, gapMs: 300, inject: (c) => Promise.all([c.pause(0, 2000), c.partition(1, 2000, 'hold')]) },
  );

  knownDefect(
    "one process's flows silenced (a black hole) for 600 ms < ownerTimeoutMs",
    'a silent TCP flow is not replaced in time: the process cannot renew its liveness and is reaped alive',
    ['false-death'],
    { inject: (c) => c.partition(0, 600, 'silent') },
  );

  // A process whose heartbeat is queued in Redis during the stall renews in time; one waiting
  // for a write's reply then is reaped. One stall (1.2 s or 1.8 s alike) showed it 24 times in 30;
  // up to four make it certain in practice.
  knownDefect('DEBUG SLEEP 1.2 s > ownerTimeoutMs, up to four times', 'a broker stall longer than ownerTimeoutMs reaps live processes (their liveness keys expired while nobody could renew them)', ['false-death'], {
    repeat: 4,
    gapMs: 300,
    inject: cli('DEBUG', 'SLEEP', '1.2'),
  });

  // Nobody can renew or reap during the outage; after it, the first heartbeat reaps a process
  // that published before its own heartbeat came. About four runs in five; up to three outages
  // make it certain in practice.
  knownDefect('Redis out of memory (CONFIG SET maxmemory 1) for 1.5 s, up to three times', 'after writes were refused (OOM) for longer than ownerTimeoutMs, the first process to renew its liveness reaps the others', ['false-death'], {
    cluster: { stagger: true },
    repeat: 3,
    gapMs: 300,
    inject: async (c) => {
      await c.cli('CONFIG', 'SET', 'maxmemory', '1');
      await sleep(1500);
      await c.cli('CONFIG', 'SET', 'maxmemory', '0');
    },
  });

  partlyFixed('FLUSHALL under load', 'after FLUSHALL the liveness keys are gone until the next heartbeat, and a process that publishes meanwhile is reaped alive', 'FLUSHALL drops the events not yet read: an ending published just before it is never seen elsewhere', ['liveness'], {
    inject: cli('FLUSHALL'),
  });

  intermittentDefect('FLUSHALL, then the owner SIGKILLed', 'an owner that dies within the two heartbeats before it republishes after FLUSHALL (it now does) leaves interactions nobody reaps', ['liveness'], {
    inject: async (c) => {
      await c.cli('FLUSHALL');
      await sleep(300);
      await c.kill(0);
      await c.restart(0, { sameId: false });
      await c.host(0).call('load', LOAD);
    },
  });

  fixedDefect(
    'owner SIGKILLed and restarted at once with the same instanceId',
    "the new process's liveness key keeps the dead one's records from being reaped: they never end elsewhere",
    ['liveness'],
    {
      inject: async (c) => {
        await c.kill(0);
        await c.restart(0, { sameId: true });
        await c.host(0).call('load', LOAD);
      },
    },
  );

  // The owner's ending is still on its way (its proxy delays it) when it dies: but its own claim
  // removed the record already, so there is nothing left to reap.
  knownDefect(
    'owner SIGKILLed right after answering its own interaction',
    "(its own defect is fixed: the owner's claim no longer removes the record, its ending or the reaper does) a flow delayed 150 ms each way lets the lease lapse between heartbeats: the owner fences itself, and the others take it for dead",
    ['false-death'],
    {
      inject: async (c) => {
        const [owner, other] = [c.host(0), c.host(1)];
        const id = await owner.call('request', { type: 'directed', sessionId: 'd', timeoutMs: LOAD.timeoutMs });
        await until(() => other.history.some((r) => r.op === 'event' && r.name === 'interaction-request' && r.id === id), 5000, 'the request elsewhere');
        c.proxies[0].delay(150);
        await owner.call('answer', { id, kind: 'resolve', value: 'mine', asker: 'd' });
        await c.kill(0);
        await c.restart(0, { sameId: false });
        await c.host(0).call('load', LOAD);
      },
    },
  );

  // The owner's writer waits on its (delayed) flow, so the record is still unwritten when the
  // owner answers: the claim finds nothing and the owner settles locally; the record is then
  // published, and stays claimable until the ending follows it, a round trip later.
  intermittentDefect(
    'owner answers its own interaction before its record is written, and another process answers it',
    'a flow delayed 200 ms each way (a 400 ms round trip against a 1 s owner timeout) lets the lease lapse between heartbeats: the owner fences itself, and the others take it for dead',
    ['false-death', 'success'],
    {
      inject: async (c) => {
        const [owner, other] = [c.host(0), c.host(1)];
        c.proxies[0].delay(200);
        // A first: its publish is the round trip the writer waits on while X is requested.
        await owner.call('request', { type: 'directed', sessionId: 'd', timeoutMs: LOAD.timeoutMs });
        await sleep(5);
        const id = await owner.call('request', { type: 'directed', sessionId: 'd', timeoutMs: LOAD.timeoutMs });
        await sleep(20);
        const mine = owner.call('answer', { id, kind: 'resolve', value: 'mine', asker: 'd' });
        await until(() => other.history.some((r) => r.op === 'event' && r.name === 'interaction-request' && r.id === id), 5000, 'the request elsewhere');
        await other.call('answer', { id, kind: 'resolve', value: 'theirs', asker: 'd' });
        await mine;
        c.proxies[0].delay(0);
      },
    },
  );

  fixedDefect(
    "one process's JS thread busy for 1.5 s",
    "an answer claimed before the owner's own timeout ending reaches Redis is told success and settles nothing",
    ['success'],
    { inject: (c) => c.host(0).call('busy', { ms: 1500 }) },
  );

  // An ACL user without a command the link needs is refused at connect now (REDIS_ERROR naming
  // it): __test__/cluster-preflight.spec.js.
});
