'use strict';
// The fault suite's checker (support/checker.js) over hand-made histories: a clean one passes,
// and each class of violation is found, so a fault run that reports none has been checked by
// something that can fail.

const { check, describe: explain } = require('./support/checker.js');

const FAULTS = { ownerTimeoutMs: 1000, heartbeatMs: 200, windows: [] };

// A small history: a builder per process, times in ms from 0.
function run() {
  const history = [];
  let call = 0;
  const at = (p, t, r) => history.push({ p, t, at: t, ...r });
  const w = {
    history,
    request: (p, t, id) => (at(p, t, { op: 'request', id, session: 's' }), w.seen(p, t, id)),
    seen: (p, t, id) => (at(p, t, { op: 'event', name: 'interaction-request', id, code: null }), w),
    answer(p, t, id, kind, value, result) {
      call += 1;
      at(p, t, { op: 'answer', call, id, kind, value, asker: 's' });
      at(p, t + 1, { op: 'reply', call, id, kind, result });
      return w;
    },
    settle: (p, t, id, how, x) => (at(p, t, { op: 'settle', id, how, ...(how === 'resolved' ? { value: x } : { code: x, message: x === 'REJECTED' ? 'no' : x }) }), w),
    resolved: (p, t, id) => (at(p, t, { op: 'event', name: 'interaction-resolved', id, code: null }), w),
    rejected: (p, t, id, code) => (at(p, t, { op: 'event', name: 'interaction-rejected', id, code }), w),
  };
  return w;
}

// One interaction of host0, seen by host1 and host2, answered by host1 (host2 lost the race).
function clean() {
  return run()
    .request('host0', 0, 'i1')
    .seen('host1', 5, 'i1')
    .seen('host2', 5, 'i1')
    .answer('host1', 10, 'i1', 'resolve', 'yes', { success: true })
    .answer('host2', 11, 'i1', 'resolve', 'no', { success: false, error: 'invalid_or_decided' })
    .settle('host0', 15, 'i1', 'resolved', 'yes')
    .resolved('host0', 15, 'i1')
    .resolved('host1', 20, 'i1')
    .resolved('host2', 20, 'i1');
}

const kinds = (h, faults = FAULTS) => check(h.history, faults).map((v) => v.invariant);

test('a clean history passes: answered remotely, rejected, timed out, an owner killed and reaped', () => {
  const h = clean()
    .request('host1', 30, 'i2')
    .seen('host0', 31, 'i2')
    .answer('host0', 40, 'i2', 'reject', 'no', { success: true })
    .settle('host1', 41, 'i2', 'rejected', 'REJECTED')
    .rejected('host1', 41, 'i2', 'REJECTED')
    .rejected('host0', 45, 'i2', 'REJECTED')
    .request('host2', 50, 'i3')
    .settle('host2', 1550, 'i3', 'rejected', 'TIMEOUT')
    .rejected('host2', 1550, 'i3', 'TIMEOUT')
    .request('host2', 60, 'i4')
    .seen('host0', 61, 'i4')
    // Told success just before host2 was killed: its promise died with it, which is no fault.
    .answer('host0', 70, 'i4', 'resolve', 'late', { success: true })
    .rejected('host0', 1400, 'i4', 'OWNER_GONE');
  const faults = { ...FAULTS, windows: [{ p: 'host2', kind: 'kill', from: 75, to: Infinity }] };
  expect(check(h.history, faults)).toEqual([]);
});

test('(1) two endings on one process, and two settlements on the owner', () => {
  const h = clean().resolved('host2', 30, 'i1');
  expect(check(h.history, FAULTS)).toEqual([expect.objectContaining({ invariant: 'ending', id: 'i1', message: 'host2 emitted 2 endings' })]);
  expect(kinds(clean().settle('host0', 16, 'i1', 'resolved', 'yes'))).toEqual(['ending']);
});

test('(1) endings that disagree: with each other, and with the owner settlement', () => {
  const h = run().request('host0', 0, 'i1').seen('host1', 1, 'i1').seen('host2', 1, 'i1').rejected('host1', 5, 'i1', 'TIMEOUT').rejected('host2', 5, 'i1', 'SHUTDOWN');
  const [v] = check(h.history, { ...FAULTS, windows: [{ p: 'host0', kind: 'kill', from: 2, to: Infinity }] });
  expect(v).toMatchObject({ invariant: 'ending', id: 'i1' });
  expect(v.message).toMatch(/disagree with host1's interaction-rejected TIMEOUT: host2 interaction-rejected SHUTDOWN/);
  // The owner resolved, another process says it timed out.
  const k = run().request('host0', 0, 'i1').seen('host1', 1, 'i1').settle('host0', 5, 'i1', 'resolved', 'x').resolved('host0', 5, 'i1').rejected('host1', 6, 'i1', 'TIMEOUT');
  expect(check(k.history, FAULTS)).toEqual([expect.objectContaining({ invariant: 'ending', message: expect.stringMatching(/owner's settlement \(interaction-resolved\): host1 interaction-rejected TIMEOUT/) })]);
});

test('(1) an owner killed just after it settled: OWNER_GONE elsewhere is fair, but not long after', () => {
  const h = run().request('host0', 0, 'i1').seen('host1', 1, 'i1').settle('host0', 500, 'i1', 'resolved', 'x').resolved('host0', 500, 'i1').rejected('host1', 1700, 'i1', 'OWNER_GONE');
  const killedAt = (from) => ({ ...FAULTS, windows: [{ p: 'host0', kind: 'kill', from, to: Infinity }] });
  expect(check(h.history, killedAt(550))).toEqual([]);
  expect(kinds(h, killedAt(900))).toEqual(['ending']);
});

test('(2) a success the owner never got: settled otherwise, or not at all', () => {
  const otherwise = run()
    .request('host0', 0, 'i1')
    .seen('host1', 1, 'i1')
    .answer('host1', 10, 'i1', 'resolve', 'yes', { success: true })
    .settle('host0', 1500, 'i1', 'rejected', 'TIMEOUT')
    .rejected('host0', 1500, 'i1', 'TIMEOUT')
    .rejected('host1', 1501, 'i1', 'TIMEOUT');
  expect(check(otherwise.history, FAULTS)).toEqual([expect.objectContaining({ invariant: 'success', message: expect.stringMatching(/host1's resolve "yes" was told success; the owner settled rejected "TIMEOUT"/) })]);
  // A reject told success, but the owner resolved with another answer: two findings.
  const value = clean().answer('host2', 12, 'i1', 'reject', 'no', { success: true });
  expect(kinds(value)).toEqual(['success', 'success']);
  // The owner was killed long before the answer: it was known dead, the claim should have said so.
  const dead = run().request('host0', 0, 'i1').seen('host1', 1, 'i1').answer('host1', 3000, 'i1', 'resolve', 'yes', { success: true }).rejected('host1', 3100, 'i1', 'OWNER_GONE');
  const killed = { ...FAULTS, windows: [{ p: 'host0', kind: 'kill', from: 100, to: Infinity }] };
  // Provisional: a settlement recorded later would clear it; a settlement otherwise is final.
  expect(check(dead.history, killed)).toEqual([expect.objectContaining({ invariant: 'success', provisional: true, message: expect.stringMatching(/the owner host0 never settled/) })]);
  expect(check(otherwise.history, FAULTS)[0].provisional).toBe(false);
});

test('(2) two successes for one id, and a definite refusal of the answer the owner got', () => {
  const two = clean().answer('host0', 12, 'i1', 'resolve', 'yes', { success: true });
  const found = check(two.history, FAULTS);
  expect(found.map((v) => v.message)).toEqual(['2 successes: host1, host0']);
  const refused = run()
    .request('host0', 0, 'i1')
    .seen('host1', 1, 'i1')
    .answer('host1', 10, 'i1', 'resolve', 'yes', { success: false, error: 'invalid_or_decided' })
    .settle('host0', 12, 'i1', 'resolved', 'yes')
    .resolved('host0', 12, 'i1')
    .resolved('host1', 13, 'i1');
  expect(check(refused.history, FAULTS)).toEqual([expect.objectContaining({ invariant: 'success', message: expect.stringMatching(/told invalid_or_decided, yet the owner's promise got it/) })]);
  // REDIS_UNAVAILABLE says nothing for sure: the claim may have gone through.
  const unsure = run().request('host0', 0, 'i1').seen('host1', 1, 'i1').answer('host1', 10, 'i1', 'resolve', 'yes', { success: false, error: 'REDIS_UNAVAILABLE' }).settle('host0', 12, 'i1', 'resolved', 'yes').resolved('host0', 12, 'i1').resolved('host1', 13, 'i1');
  expect(check(unsure.history, FAULTS)).toEqual([]);
});

test('(3) OWNER_GONE for a live owner, or one paused shorter than ownerTimeoutMs', () => {
  const h = () => run().request('host0', 0, 'i1').seen('host1', 1, 'i1').rejected('host1', 1300, 'i1', 'OWNER_GONE').settle('host0', 1500, 'i1', 'rejected', 'TIMEOUT').rejected('host0', 1500, 'i1', 'TIMEOUT');
  const ids = (faults) => check(h().history, faults).map((v) => v.invariant);
  // Both also disagree with the owner's TIMEOUT.
  expect(ids(FAULTS)).toEqual(['ending', 'false-death']);
  expect(ids({ ...FAULTS, windows: [{ p: 'host0', kind: 'pause', from: 100, to: 900 }] })).toEqual(['ending', 'false-death']);
  // Paused longer than ownerTimeoutMs: OWNER_GONE is fair (the TIMEOUT after it is not).
  expect(ids({ ...FAULTS, windows: [{ p: 'host0', kind: 'pause', from: 100, to: 1400 }] })).toEqual(['ending']);
  // A stall of Redis itself excuses nothing: it is not the owner's window.
  expect(ids({ ...FAULTS, windows: [{ p: 'redis', kind: 'pause', from: 0, to: 5000 }] })).toEqual(['ending', 'false-death']);
});

test('liveness: unsettled on a live owner, and a process that saw the request but no ending', () => {
  const h = run().request('host0', 0, 'i1').seen('host1', 1, 'i1').seen('host2', 1, 'i1').rejected('host1', 1500, 'i1', 'TIMEOUT');
  const found = check(h.history, FAULTS);
  expect(found.every((v) => v.provisional)).toBe(true);
  expect(found.map((v) => [v.invariant, v.message])).toEqual([
    ['liveness', 'never settled on its owner host0, which lived to the end'],
    ['liveness', 'no ending on host0, host2, which saw its request and lived to the end'],
  ]);
  // A killed process owes nothing.
  const killed = { ...FAULTS, windows: [{ p: 'host0', kind: 'kill', from: 10, to: Infinity }, { p: 'host2', kind: 'kill', from: 10, to: Infinity }] };
  expect(check(h.history, killed)).toEqual([]);
  expect(explain(found)).toMatch(/^2 violations \{"liveness":2\}\n {2}\[liveness\] i1: never settled/);
});
