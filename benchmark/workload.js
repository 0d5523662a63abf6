'use strict';
// The workloads the benchmarks share (run-one.js, paired-cycle.js), for any manager.

/** Requests `n` interactions over `sessions` sessions; returns their promises and ids. */
function requestBatch(m, n, sessions, extra = {}) {
  const ids = [];
  const capture = (i) => ids.push(i.id);
  m.on('interaction-request', capture);
  const all = new Array(n);
  for (let i = 0; i < n; i++) {
    all[i] = m.requestInteraction({ type: i % 3 ? 'permission' : 'ask-user', sessionId: `session-${i % sessions}`, data: { toolName: 'Bash', i }, metadata: { requestId: i }, ...extra });
  }
  m.off('interaction-request', capture);
  return { all, ids };
}

/** One batch of the request→resolve cycle: 1000 concurrent interactions over 50 sessions, each
 * answered, awaited. */
async function answerBatch(m) {
  const { all, ids } = requestBatch(m, 1000, 50);
  for (const id of ids) m.resolveInteraction(id, { behavior: 'allow' });
  await Promise.all(all);
}

module.exports = { requestBatch, answerBatch };
