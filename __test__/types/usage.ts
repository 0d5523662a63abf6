// Compiled (not run) by `npm run lint:types`: the public typings cover every documented call.
import {
  InteractionManager,
  InteractionError,
  getInteractionManager,
  resetInteractionManager,
  configureInteractionManager,
  DEFAULTS,
  type AnswerResult,
  type PendingInteraction,
} from 'native-interaction-manager';

const m = new InteractionManager({ interactionTimeoutMs: 1000, rateLimit: { max: 10, windowMs: 1000 }, requireSessionMatch: true, maxTypes: 64 });
configureInteractionManager({ interactionTimeoutMs: 60_000, logger: console });
const again: InteractionManager = getInteractionManager();
resetInteractionManager();

async function toolCallback(signal: AbortSignal): Promise<string> {
  try {
    const response = await m.requestInteraction<{ behavior: 'allow' | 'deny' }>({
      type: 'permission',
      sessionId: 'session-1',
      data: { toolName: 'Bash' },
      metadata: { requestId: 'r1', abortSignal: signal },
      timeoutMs: 500,
      maxTotalMs: 5000,
    });
    return response.behavior;
  } catch (err) {
    if (err instanceof InteractionError) {
      const code: 'REJECTED' | 'SESSION_REMOVED' | 'TIMEOUT' | 'ABORTED' | 'STALE' | 'SHUTDOWN' | 'TOO_MANY_PENDING' | 'RATE_LIMITED' = err.code;
      const causes: unknown[] = [err.cause, ...(err.listenerErrors ?? [])];
      return `${code} ${err.interactionId ?? ''} ${err.retryAfterMs ?? ''} ${causes.length}`;
    }
    return 'deny';
  }
}

m.on('interaction-request', (i: PendingInteraction) => i.id.length);
m.on('interaction-resolved', (e) => e.resolvedAt.toFixed());
m.on('interaction-rejected', (e) => `${e.code}: ${e.reason} at ${e.rejectedAt}`);

const answer: AnswerResult = m.resolveInteraction('id', { behavior: 'allow' }, 'session-1');
m.resolveInteraction('id', { behavior: 'allow' }, null);
if (!answer.success && answer.error === 'invalid_or_decided' && answer.settledAs) answer.settledAt?.toFixed();
m.rejectInteraction('id', 'User denied');
m.touchInteraction('id');
m.detachSession('session-1', { graceMs: 30_000 });
const wasDetached: boolean = m.attachSession('session-1');
const pending: PendingInteraction[] = m.getPendingInteractions(['session-1'], 'permission');
const metrics: string = m.getMetrics();
const waited: number = m.getMetricsSnapshot().wait['permission']?.sum ?? 0;
const count: number = m.getPendingCount() + m.getStatistics().pendingCount;
m.cleanupStaleInteractions();
m.removeSession('session-1');
m.shutdown();
const timeout: number = DEFAULTS.interactionTimeoutMs;

// @ts-expect-error: unknown options are a type error too
new InteractionManager({ interactionTimeout: 5 });
// @ts-expect-error: an InteractionError needs its code
new InteractionError('x');
const made = new InteractionError('x', 'TIMEOUT', 'id');
// @ts-expect-error: a misspelt event name
m.on('interaction-requets', () => {});
// @ts-expect-error: the payload of interaction-resolved has no reason
m.on('interaction-resolved', (e) => e.reason);
const perType: number = m.getStatistics()['permission'].total + m.getStatistics().sessionCount;
// @ts-expect-error: the type is required
m.requestInteraction({ sessionId: 's' });

export { toolCallback, again, wasDetached, pending, metrics, count, timeout, waited, made, perType };
