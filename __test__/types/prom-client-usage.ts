// Compiled (not run) by `npm run lint:types`: the prom-client entry's typings with prom-client's own Registry.
import { Registry, collectDefaultMetrics } from 'prom-client';
import { registerMetrics } from 'native-interaction-manager/prom-client';
import { InteractionManager } from 'native-interaction-manager';

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const remove: () => void = registerMetrics(registry, { manager: new InteractionManager(), prefix: 'im_', labels: { manager: 'a' } });
registerMetrics(registry);
remove();
// @ts-expect-error: labels are strings or numbers
registerMetrics(registry, { labels: { manager: true } });
