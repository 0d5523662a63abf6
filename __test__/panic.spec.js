// Every exported function is compiled with #[napi(catch_unwind)]: a Rust panic becomes a JS
// exception instead of aborting Node. The probe addon (npm run build:probes, --features probes)
// adds one function that panics on purpose through the same wrapper.
const path = require('node:path');

const probes = require(path.join(__dirname, '..', 'target', 'probes', 'binding.js'));

describe('no panic crosses into Node.js', () => {
  test('a panic in native code is thrown as an Error and the process carries on', () => {
    expect(() => probes.panicForTest('boom from Rust')).toThrow(/boom from Rust/);
    expect(() => probes.panicForTest('again')).toThrow(/again/);
    expect(probes.panicForTest('')).toBe(0);
  });

  test('the registry of the probe addon keeps working after a panic', async () => {
    expect(() => probes.panicForTest('before use')).toThrow();
    const handle = probes.create(() => new Error('x'), {
      interactionTimeoutMs: 0,
      staleThresholdMs: 0,
      maxInteractionsPerSession: 10,
      maxPendingTotal: 10,
      requireSessionMatch: false,
      rateLimitMax: 0,
      rateLimitWindowMs: 0,
      maxTypes: 8,
    });
    const id = require('node:crypto').randomUUID();
    const promise = probes.request(handle, id, 7, 't', 's', -1, 0, 0);
    expect(probes.resolve(handle, id, 'ok', undefined, 0)).toBe(7);
    await expect(promise).resolves.toBe('ok');
    probes.destroy(handle);
  });

  test('every exported function of the shipped binding is wrapped the same way', () => {
    const fs = require('node:fs');
    // Every file of the binding but the cluster link (below) and the probe build's entry points.
    const src = path.join(__dirname, '..', 'src');
    const files = fs.readdirSync(src).filter((f) => f.endsWith('.rs') && f !== 'test_only.rs');
    const exported = files.flatMap((file) => {
      const source = fs.readFileSync(path.join(src, file), 'utf8');
      return source.match(/#\[napi[^\]]*\]\s*(?:#\[[^\]]*\][^\n]*\s*)*pub fn/g) ?? [];
    });
    // As many as the functions the shipped binding exports (but the cluster link's class; its
    // constants and enums are values that run no code), so none is left out.
    const binding = require('../binding.js');
    const keys = Object.keys(binding).filter((k) => !k.startsWith('__') && k !== 'RedisLink' && typeof binding[k] === 'function');
    expect(exported.length).toBe(keys.length);
    for (const attr of exported) expect(attr).toMatch(/#\[napi\(catch_unwind\)\]/);
    // The cluster link: its constructor and every synchronous method; napi-rs turns a panic in an
    // async method's future into a rejection of its promise.
    const cluster = fs.readFileSync(path.join(__dirname, '..', 'src', 'cluster', 'mod.rs'), 'utf8');
    const methods = cluster.match(/#\[napi[^\]]*\]\s*(?:#\[[^\]]*\][^\n]*\s*)*pub (?:async )?fn \w+/g);
    expect(methods.length).toBe(Object.getOwnPropertyNames(require('../binding.js').RedisLink.prototype).length);
    for (const m of methods.filter((m) => !m.includes('async fn'))) expect(m).toMatch(/#\[napi\((constructor, )?catch_unwind\)\]/);
  });
});
