// The ES-module side (node16/nodenext resolve the `import` condition and index.d.mts).
import { getInteractionManager, InteractionError, type InteractionRejectedEvent } from 'native-interaction-manager';
import defaultExport from 'native-interaction-manager';
import { registerMetrics } from 'native-interaction-manager/prom-client';

const m = getInteractionManager();
m.on('interaction-rejected', (e: InteractionRejectedEvent) => e.code);
const p: Promise<{ ok: boolean }> = m.requestInteraction<{ ok: boolean }>({ type: 'ask-user', sessionId: null, data: {} });
p.catch((err: unknown) => err instanceof InteractionError && err.code);
defaultExport.resetInteractionManager();
export { registerMetrics };
