'use strict';
// Endings one at a time: each interaction's settlement is finished and its events emitted before
// the next one ends, so listeners see the rest still pending (listed, counted, answerable), as
// with one timer per interaction. Bulk endings, the timer's and a shared signal's abort all come
// here; what host code throws is noted on `settled` (finish.js) for its rethrow. And how an
// ended interaction ended, for a late answer.

const native = require('./native.js');
const { reasonText, describeId } = require('./errors.js');

// Finishes one settlement's report and emits its events, inside `scope` when given (the async
// context of the interaction's request).
function finishOne(settled, report, scope) {
  if (report[0] !== undefined) settled.note(report[0]);
  settled.queue(report, undefined);
  if (scope !== undefined) scope.runInAsyncScope(settled.flush, settled);
  else settled.flush();
}

// Ends `records`, the code of the i-th being `codeAt(i)`. `scoped`: the endings are the timer's,
// and each one's events run in the async context of its request. Returns how many ended.
function endRecords(handle, settled, records, codeAt, now, scoped) {
  let ended = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    try {
      const report = native.end(handle, record.id, codeAt(i), now);
      if (report === null || report[1] === 0) continue;
      ended++;
      finishOne(settled, report, scoped ? record.scope : undefined);
    } catch (err) {
      settled.note(err);
    }
  }
  settled.lastMade = undefined;
  return ended;
}

// The records in the first `count` of `slots`, every `step`-th, read before any of them ends.
function recordsOf(settled, slots, count, step) {
  const all = settled.slots;
  const records = [];
  for (let i = 0; i < count; i += step) records.push(all[slots[i]]);
  return records;
}

/** Ends the interactions in the first `count` of `slots` (a picker's answer) with code index
 * `code`; returns how many ended. */
function endSlots(handle, settled, slots, count, code, now) {
  return endRecords(handle, settled, recordsOf(settled, slots, count, 1), () => code, now, false);
}

/** Ends what the timer was for: `due` is `[slot, code, slot, code, ...]`, each one's events in
 * the async context of its request. */
function endDue(handle, settled, due, now) {
  return endRecords(handle, settled, recordsOf(settled, due, due.length, 2), (i) => due[2 * i + 1], now, true);
}

/** Ends the interactions `ids` of a signal that aborted (ABORTED). */
function abortEach(handle, settled, ids, now) {
  for (const id of ids) {
    try {
      const report = native.reject(handle, id, undefined, true, now);
      if (report !== null) finishOne(settled, report, undefined);
    } catch (err) {
      settled.note(err);
    }
  }
  settled.lastMade = undefined;
}

/** An interaction-request listener threw `err`: nobody may have seen interaction `id`, so it is
 * rejected (REJECTED) with that error as `cause`. Errors of the interaction-rejected listeners
 * this emits are kept too (`listenerErrors`), never thrown at the requester. */
function listenerFailed(handle, settled, id, err, now) {
  const errors = [err];
  let made;
  try {
    const report = native.reject(handle, id, `interaction-request listener failed: ${reasonText(err && err.message)}`, false, now);
    made = settled.lastMade;
    if (report !== null) settled.apply(report, undefined);
  } catch (later) {
    errors.push(...(later instanceof AggregateError && later.errors ? later.errors : [later]));
  }
  settled.lastMade = undefined;
  if (made === undefined || made === null || typeof made !== 'object') return;
  try {
    Object.defineProperty(made, 'cause', { value: err, writable: true, configurable: true });
    if (errors.length > 1) Object.defineProperty(made, 'listenerErrors', { value: errors, writable: true, configurable: true });
  } catch {
    // A frozen error (fallback with frozen intrinsics) keeps its own cause.
  }
}

/** A late answer learns how its interaction ended, while that is remembered (the last 10k
 * settlements, at most 10 minutes), so the host can say "this prompt already timed out". */
function lateAnswer(handle, throttle, interactionId, now) {
  const known = native.settledAs(handle, interactionId, now);
  if (known === null) {
    throttle.warn(`[InteractionManager] Interaction ${describeId(interactionId)} not found or already decided`);
    return { success: false, error: 'invalid_or_decided' };
  }
  // The host ignores the return value: say how it ended.
  throttle.warn(`[InteractionManager] Interaction ${describeId(interactionId)} already ended: ${known.code}`);
  const settledAt = Math.round(Date.now() - (now - known.settledAt));
  return { success: false, error: 'invalid_or_decided', settledAs: known.code, settledAt };
}

module.exports = { endSlots, endDue, abortEach, listenerFailed, lateAnswer };
