'use strict';
// The invariants of cluster mode, checked over a recorded history (fixtures/fault-host.cjs
// describes its records), Jepsen-style: the run only records; this judges afterwards, from the
// records alone and from what the spec says it did (`faults`).
//
// `faults`: { ownerTimeoutMs, heartbeatMs, windows: [{ p, kind, from, to }] }, kind 'kill'
// (to: Infinity), 'pause' (SIGSTOP .. SIGCONT) or 'partition' (p's proxy cut off), times as
// Date.now(). Only these excuse what a dead or unreachable process cannot do; a stall of the
// broker itself (DEBUG SLEEP, CLIENT PAUSE, a restart) excuses nothing.
//
// check() returns the violations, each { invariant, id, message, evidence, provisional } with
// `provisional` true when more history could still clear it (something not seen yet), and
// invariant:
//   'ending'      (1) one ending per id, the same everywhere, consistent with the owner's settlement
//   'success'     (2) { success: true } means the owner's promise got that very answer; at most
//                     one per id; an answer told a definite failure is not the one it got
//   'false-death' (3) OWNER_GONE only for an owner killed, or paused/partitioned > ownerTimeoutMs
//   'liveness'    at the end, every interaction settled on its live owner, and every live process
//                 that saw its request saw its ending

const { isDeepStrictEqual } = require('node:util');

const ENDINGS = new Set(['interaction-resolved', 'interaction-rejected']);
// Replies that say for sure the answer was not taken (REDIS_UNAVAILABLE may have been taken).
const DEFINITE_NO = new Set(['invalid_or_decided', 'SESSION_MISMATCH']);

function push(map, key, value) {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

// Every record of each id, in one place.
function byInteraction(history) {
  const ids = new Map();
  const of = (id) => {
    let x = ids.get(id);
    if (x === undefined) ids.set(id, (x = { id, request: null, settles: [], endings: new Map(), seen: new Set(), answers: [] }));
    return x;
  };
  const calls = new Map();
  for (const r of history) {
    if (r.op === 'request') of(r.id).request = r;
    else if (r.op === 'settle') of(r.id).settles.push(r);
    else if (r.op === 'event' && r.name === 'interaction-request') of(r.id).seen.add(r.p);
    else if (r.op === 'event' && ENDINGS.has(r.name)) push(of(r.id).endings, r.p, r);
    else if (r.op === 'answer') {
      const a = { answer: r, reply: null };
      calls.set(`${r.p}#${r.call}`, a);
      of(r.id).answers.push(a);
    }
  }
  for (const r of history) {
    if (r.op !== 'reply') continue;
    const a = calls.get(`${r.p}#${r.call}`);
    if (a !== undefined) a.reply = r;
  }
  return ids;
}

const endingOf = (settle) => (settle.how === 'resolved' ? { name: 'interaction-resolved', code: null } : { name: 'interaction-rejected', code: settle.code });
const sameEnding = (a, b) => a.name === b.name && (a.code ?? null) === (b.code ?? null);
const show = (e) => (e.code ? `${e.name} ${e.code}` : e.name);

// Whether the owner's promise got this answer.
function got(settle, answer) {
  if (answer.kind === 'resolve') return settle.how === 'resolved' && isDeepStrictEqual(settle.value, answer.value);
  return settle.how === 'rejected' && settle.code === 'REJECTED' && settle.message === answer.value;
}

function check(history, faults = {}) {
  const { ownerTimeoutMs = 5000, heartbeatMs = 1000, windows = [] } = faults;
  const killedAt = new Map(windows.filter((w) => w.kind === 'kill').map((w) => [w.p, w.from]));
  // Dead or cut off long enough to be reaped, from `from` on.
  const reapable = (p, t) => windows.some((w) => w.p === p && w.from <= t && (w.kind === 'kill' || w.to - w.from > ownerTimeoutMs));
  const out = [];
  const fail = (invariant, id, message, evidence, provisional = false) => out.push({ invariant, id, message, evidence, provisional });

  for (const x of byInteraction(history).values()) {
    const owner = x.request && x.request.p;
    const settle = x.settles[0];
    const endings = [...x.endings.values()].flat();

    // (1) one ending per id, the same everywhere
    if (x.settles.length > 1) fail('ending', x.id, `settled ${x.settles.length} times on its owner`, x.settles);
    for (const [p, list] of x.endings) if (list.length > 1) fail('ending', x.id, `${p} emitted ${list.length} endings`, list);
    const canon = settle !== undefined ? endingOf(settle) : endings[0];
    const odd = canon === undefined ? [] : endings.filter((e) => !sameEnding(e, canon));
    // An owner killed just after it settled may take its ending's write with it: the others
    // reap the interaction instead. Not within a heartbeat of the kill, it is a write lost.
    const died = owner === null ? undefined : killedAt.get(owner);
    const inFlight = settle !== undefined && died !== undefined && settle.t >= died - heartbeatMs && odd.every((e) => e.code === 'OWNER_GONE');
    if (odd.length > 0 && !inFlight) {
      const against = settle !== undefined ? `the owner's settlement (${show(canon)})` : `${endings[0].p}'s ${show(canon)}`;
      fail('ending', x.id, `endings disagree with ${against}: ${odd.map((e) => `${e.p} ${show(e)}`).join(', ')}`, [settle, ...odd].filter(Boolean));
    }

    // (2) a success is the owner's answer, once
    const wins = x.answers.filter((a) => a.reply && a.reply.result && a.reply.result.success === true);
    if (wins.length > 1) fail('success', x.id, `${wins.length} successes: ${wins.map((a) => a.answer.p).join(', ')}`, wins.map((a) => a.reply));
    for (const { answer, reply } of wins) {
      if (owner === null) continue;
      if (settle === undefined) {
        // A killed owner may die with the answer on its way, until it is known dead.
        if (died !== undefined && answer.t <= died + ownerTimeoutMs + heartbeatMs) continue;
        fail('success', x.id, `${answer.p}'s ${answer.kind} ${JSON.stringify(answer.value)} was told success; the owner ${owner} never settled`, [answer, reply], true);
      } else if (!got(settle, answer)) {
        fail('success', x.id, `${answer.p}'s ${answer.kind} ${JSON.stringify(answer.value)} was told success; the owner settled ${settle.how} ${JSON.stringify(settle.value ?? settle.code)}`, [answer, reply, settle]);
      }
    }
    if (settle !== undefined) {
      for (const { answer, reply } of x.answers) {
        const r = reply && reply.result;
        if (r && r.success === false && DEFINITE_NO.has(r.error) && got(settle, answer)) {
          fail('success', x.id, `${answer.p}'s ${answer.kind} was told ${r.error}, yet the owner's promise got it`, [answer, reply, settle]);
        }
      }
    }

    // (3) no false death
    const falsely = owner === null ? [] : endings.filter((e) => e.code === 'OWNER_GONE' && !reapable(owner, e.t));
    if (falsely.length > 0) {
      fail('false-death', x.id, `OWNER_GONE on ${falsely.map((e) => e.p).join(', ')} while its owner ${owner} was neither killed nor cut off longer than ${ownerTimeoutMs} ms`, falsely);
    }

    // liveness: everything that should have ended did
    if (owner !== null && !killedAt.has(owner) && settle === undefined) fail('liveness', x.id, `never settled on its owner ${owner}, which lived to the end`, [x.request], true);
    const missing = [...x.seen].filter((p) => !killedAt.has(p) && !x.endings.has(p));
    if (missing.length > 0) fail('liveness', x.id, `no ending on ${missing.join(', ')}, which saw its request and lived to the end`, [x.request].filter(Boolean), true);
  }
  return out;
}

/** A short account of violations for a test's failure message: counts by invariant, then the first few. */
function describe(violations, first = 8) {
  const counts = {};
  for (const v of violations) counts[v.invariant] = (counts[v.invariant] || 0) + 1;
  const lines = violations.slice(0, first).map((v) => `  [${v.invariant}] ${v.id}: ${v.message}`);
  return `${violations.length} violations ${JSON.stringify(counts)}\n${lines.join('\n')}`;
}

module.exports = { check, describe };
