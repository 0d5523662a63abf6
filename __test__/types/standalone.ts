// Compiled with no @types/node at all (tsconfig.standalone.json): the typings stand alone.
import { InteractionManager, type AbortSignalLike } from 'native-interaction-manager';

const signal: AbortSignalLike = { aborted: false, addEventListener() {}, removeEventListener() {} };
const m = new InteractionManager({ maxTypes: 16 });
m.on('interaction-request', (i) => i.sessionId);
m.requestInteraction({ type: 'permission', sessionId: 's', data: {}, signal });
export { m };
