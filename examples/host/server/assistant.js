// A stand-in for the assistant: each chat message runs one tool call whose callback awaits an
// interaction the way the host's tool callbacks do (try/catch, a rejection becomes a deny).
// Each callback holds a large conversation context across the await, as real ones do, so a
// leaked interaction shows in memory.

const KINDS = ['permission', 'plan-approval', 'ask-user'];

function requestFor(kind, sessionId, n) {
  const data = {
    permission: { toolName: 'Bash', input: { command: `ls -la /tmp/${n}` }, suggestions: [] },
    'plan-approval': { planData: { steps: [`step ${n}`] } },
    'ask-user': { questions: [{ question: `Continue with ${n}?`, options: ['yes', 'no'] }] },
  }[kind];
  return { type: kind, sessionId, data, metadata: { requestId: `req-${n}`, toolName: kind } };
}

export function createAssistant(manager, { onData } = {}) {
  const tally = { started: 0, answered: 0, byCode: {} };
  let n = 0;

  async function toolCall(sessionId, kind = KINDS[n % KINDS.length]) {
    const request = requestFor(kind, sessionId, n++);
    onData?.(request.data);
    // ~32 KB held while waiting (an array: V8 keeps a repeated string as a tiny rope).
    const transcript = new Array(4096).fill(n);
    tally.started++;
    try {
      const response = await manager.requestInteraction(request);
      tally.answered++;
      return { behavior: response?.behavior ?? 'allow', contextBytes: transcript.length };
    } catch (err) {
      const code = err?.code ?? 'UNCODED';
      tally.byCode[code] = (tally.byCode[code] ?? 0) + 1;
      return { behavior: 'deny', reason: err?.message, contextBytes: transcript.length };
    }
  }

  return { toolCall, tally };
}
