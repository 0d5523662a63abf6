// Must NOT compile: scripts/check-types.js asserts the error names the known events.
import { InteractionManager } from 'native-interaction-manager';

new InteractionManager().on('interaction-requets', () => {});
