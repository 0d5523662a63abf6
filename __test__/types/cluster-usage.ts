// Compiled (not run) by `npm run lint:types`: cluster mode's typings, as a host uses them.
import { ClusterInteractionManager, ClusterError, type ClusterAnswerResult, type PendingInteraction } from 'native-interaction-manager';
import { registerMetrics } from 'native-interaction-manager/prom-client';

async function host(): Promise<void> {
  const im = await ClusterInteractionManager.connect({
    redisUrl: 'redis://app:secret@127.0.0.1:6379/0',
    prefix: 'interactions',
    instanceId: 'web-1',
    maxPayloadBytes: 256 * 1024,
    heartbeatMs: 1000,
    ownerTimeoutMs: 5000,
    interactionTimeoutMs: 60_000,
    requireSessionMatch: true,
  });
  const id: string = im.instanceId;
  im.on('interaction-rejected', (e) => {
    if (e.code === 'OWNER_GONE') console.log(e.interactionId);
  });
  const answer: ClusterAnswerResult = await im.resolveInteraction('id', { ok: true }, 'session-1');
  if (!answer.success && answer.error === 'REDIS_UNAVAILABLE') console.log('retry later');
  if (!answer.success && answer.error === 'invalid_or_decided' && answer.settledAs === 'OWNER_GONE') answer.settledAt?.toFixed();
  const listed: PendingInteraction[] = await im.getPendingInteractions(['session-1']);
  await im.removeSession('session-1');
  await im.detachSession('session-1', { graceMs: 10_000 });
  const wasDetached: boolean = await im.attachSession('session-1');
  const up: boolean = im.isRedisUp();
  const redisUp: 0 | 1 = im.getMetricsSnapshot().redisUp;
  registerMetrics({ registerMetric() {} }, { manager: im });
  try {
    await im.requestInteraction<string>({ type: 'ask-user', sessionId: 'session-1', data: { q: 'why?' } });
  } catch (err) {
    if (err instanceof ClusterError && err.code === 'REDIS_UNAVAILABLE') console.log(id, listed, wasDetached, up, redisUp);
  }
  // @ts-expect-error: the answer is a Promise in cluster mode
  const sync: ClusterAnswerResult = im.resolveInteraction('id', 1);
  await ClusterInteractionManager.connect({ redisUrl: 'redis://127.0.0.1', instanceId: 'web-1' }).catch((err: unknown) => {
    if (err instanceof ClusterError && err.code === 'INSTANCE_ID_IN_USE') console.log('web-1 is running already');
  });
  // @ts-expect-error: maxPayloadBytes is a number of bytes
  await ClusterInteractionManager.connect({ redisUrl: 'redis://127.0.0.1', maxPayloadBytes: '1mb' });
  // @ts-expect-error: redisUrl is required
  await ClusterInteractionManager.connect({ prefix: 'x' });
  // @ts-expect-error: created by connect(), not new
  new ClusterInteractionManager();
  console.log(sync);
  await im.close();
}

export { host };
