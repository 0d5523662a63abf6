// Issue 11, part 4: the one-line drop-in is configured without code, by environment variables
// read when the process-wide manager is first created, or by configureInteractionManager().
// Each case runs in its own process, as a host would start.
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const pkg = JSON.stringify(path.join(__dirname, '..'));
function run(body, env = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INTERACTION_')));
  const r = spawnSync(process.execPath, ['-e', `const p = require(${pkg}); ${body}`], { encoding: 'utf8', env: { ...clean, ...env } });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}
// A request's timeout and whether an anonymous answer is refused, seen from outside.
const probe = `
  const m = p.getInteractionManager();
  const started = Date.now();
  let id;
  m.once('interaction-request', (i) => (id = i.id));
  const keep = setTimeout(() => {}, 5000);
  m.requestInteraction({ type: 't', sessionId: 's', data: {} }).then(() => clearTimeout(keep), (e) => {
    console.log(JSON.stringify({ code: e.code, afterMs: Date.now() - started }));
    clearTimeout(keep);
  });
  console.log(JSON.stringify({ anonymous: m.resolveInteraction(id, 'x').error ?? 'accepted' }));
`;

describe('configuring the process-wide manager', () => {
  test('INTERACTION_TIMEOUT_MS and INTERACTION_REQUIRE_SESSION_MATCH', () => {
    const r = run(probe, { INTERACTION_TIMEOUT_MS: '150', INTERACTION_REQUIRE_SESSION_MATCH: 'true' });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ anonymous: 'SESSION_MISMATCH' });
    expect(lines[1].code).toBe('TIMEOUT');
    expect(lines[1].afterMs).toBeGreaterThanOrEqual(140);
    // Without the variables: the defaults (5 min, anyone may answer).
    const plain = run(probe.replace("'t', sessionId", "'t', timeoutMs: 100, sessionId"));
    expect(plain.stdout.split('\n').map((l) => JSON.parse(l))[0]).toEqual({ anonymous: 'accepted' });
  });

  test('every variable reaches its option', () => {
    const env = {
      INTERACTION_TIMEOUT_MS: '1000',
      INTERACTION_STALE_THRESHOLD_MS: '2000',
      INTERACTION_CLEANUP_INTERVAL_MS: '0',
      INTERACTION_MAX_PER_SESSION: '2',
      INTERACTION_MAX_PENDING_TOTAL: '3',
      INTERACTION_REQUIRE_SESSION_MATCH: '0',
    };
    const body = `
      const m = p.getInteractionManager();
      const codes = [];
      const all = [0, 1, 2].map(() => m.requestInteraction({ type: 't', sessionId: 's', data: {} }).catch((e) => e.code));
      all.push(m.requestInteraction({ type: 't', sessionId: 'a', data: {} }).catch((e) => e.code));
      all.push(m.requestInteraction({ type: 't', sessionId: 'b', data: {} }).catch((e) => e.code));
      m.shutdown();
      Promise.all(all).then((c) => console.log(JSON.stringify(c)));
    `;
    const r = run(body, env);
    expect(r.stderr).toBe('');
    // 2 per session, then 3 in all.
    expect(JSON.parse(r.stdout)).toEqual(['SHUTDOWN', 'SHUTDOWN', 'TOO_MANY_PENDING', 'SHUTDOWN', 'TOO_MANY_PENDING']);
  });

  test.each([
    ['INTERACTION_TIMEOUT_MS', '5 minutes', /INTERACTION_TIMEOUT_MS must be a whole number of milliseconds >= 0 \(0 disables\), got "5 minutes"/],
    ['INTERACTION_MAX_PER_SESSION', '0', /INTERACTION_MAX_PER_SESSION must be an integer from 1 to 4294967295, got "0"/],
    ['INTERACTION_MAX_PENDING_TOTAL', '-3', /INTERACTION_MAX_PENDING_TOTAL must be an integer/],
    ['INTERACTION_REQUIRE_SESSION_MATCH', 'maybe', /INTERACTION_REQUIRE_SESSION_MATCH must be true or false/],
  ])('a malformed %s is refused, naming the variable', (name, value, message) => {
    const r = run('try { p.getInteractionManager(); } catch (e) { console.log(e.name + ": " + e.message); }', { [name]: value });
    expect(r.stdout).toMatch(message);
    expect(r.stdout).toMatch(/^TypeError/);
  });

  test('configureInteractionManager: before the first use it sets the options; after, it throws', () => {
    const body = `
      p.configureInteractionManager({ interactionTimeoutMs: 0, maxInteractionsPerSession: 1 });
      const m = p.getInteractionManager();
      m.requestInteraction({ type: 't', sessionId: 's', data: {} }).catch(() => {});
      m.requestInteraction({ type: 't', sessionId: 's', data: {} }).catch((e) => console.log(e.code));
      try { p.configureInteractionManager({}); } catch (e) { console.log(e.message); }
      p.resetInteractionManager();
      p.configureInteractionManager({ maxInteractionsPerSession: 5 });
      try { p.configureInteractionManager({ nope: 1 }); } catch (e) { console.log(e.name); }
    `;
    const r = run(body, { INTERACTION_MAX_PER_SESSION: '50' });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'configureInteractionManager: the manager already exists; call it before the first getInteractionManager() (or after resetInteractionManager())',
      'TypeError',
      'TOO_MANY_PENDING',
    ]);
  });

  test('the ES-module entry exports configureInteractionManager', () => {
    const url = JSON.stringify(require('node:url').pathToFileURL(path.join(__dirname, '..', 'index.mjs')).href);
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { configureInteractionManager } from ${url}; console.log(typeof configureInteractionManager);`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('function');
  });
});
