// Issue 11, part 2: no console output driven by the network. Lines go to the `logger` option;
// unknown ids and late answers are throttled to one line per 10 s that says how many were held.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { manager } = require('./helpers');

const logger = () => {
  const lines = { debug: [], warn: [], error: [] };
  return { lines, debug: (...a) => lines.debug.push(a.join(' ')), warn: (...a) => lines.warn.push(a.join(' ')), error: (...a) => lines.error.push(a.join(' ')) };
};

describe('logger', () => {
  test('10k bogus answers write one warning line; ten seconds later, one more that counts the rest', () => {
    jest.useFakeTimers();
    try {
      const log = logger();
      const m = manager({ logger: log });
      for (let i = 0; i < 10_000; i++) m.resolveInteraction(`garbage-${i}`, 'x');
      expect(log.lines.warn).toEqual(['[InteractionManager] Interaction "garbage-0" not found or already decided']);
      jest.advanceTimersByTime(10_000);
      m.rejectInteraction(42);
      expect(log.lines.warn).toHaveLength(2);
      expect(log.lines.warn[1]).toBe('[InteractionManager] Interaction <number> not found or already decided (and 9999 such warnings since the previous line, not written)');
    } finally {
      jest.useRealTimers();
    }
  });

  test('a late answer says how its interaction ended', () => {
    const log = logger();
    const m = manager({ logger: log });
    let id;
    m.once('interaction-request', (i) => (id = i.id));
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    m.removeSession('s');
    expect(m.resolveInteraction(id, 'too late')).toMatchObject({ settledAs: 'SESSION_REMOVED' });
    expect(log.lines.warn).toEqual([`[InteractionManager] Interaction "${id}" already ended: SESSION_REMOVED`]);
  });

  test('debug lines go to the logger', () => {
    const log = logger();
    const m = manager({ logger: log });
    m.requestInteraction({ type: 'permission', sessionId: 's', data: {} });
    m.removeSession('s');
    expect(log.lines.debug.some((l) => l.startsWith('request '))).toBe(true);
    expect(log.lines.debug.some((l) => l.startsWith('rejected '))).toBe(true);
  });

  test('a logger without debug, warn and error is refused', () => {
    const { InteractionManager } = require('..');
    expect(() => new InteractionManager({ logger: { warn() {} } })).toThrow(/missing: debug, error/);
    expect(() => new InteractionManager({ logger: 5 })).toThrow(TypeError);
  });

  test('default: NODE_DEBUG=interactions writes debug lines to stderr; without it, nothing but the throttled warning', () => {
    const script = `
      const { InteractionManager } = require(${JSON.stringify(path.join(__dirname, '..'))});
      const m = new InteractionManager();
      for (let i = 0; i < 1000; i++) m.resolveInteraction('bogus', 1);
      m.requestInteraction({ type: 'permission', sessionId: 's', data: {} }).catch(() => {});
      m.shutdown();
    `;
    const quiet = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: '', DEBUG: '' } });
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr.trim().split('\n')).toEqual(['[InteractionManager] Interaction "bogus" not found or already decided']);
    const loud = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'interactions', DEBUG: '' } });
    expect(loud.stderr).toMatch(/^INTERACTIONS \d+: request /m);
    expect(loud.stderr).toMatch(/^INTERACTIONS \d+: shutdown 1$/m);
  });
});
