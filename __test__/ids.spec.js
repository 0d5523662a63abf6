// Ids are capabilities: whoever knows one can answer the interaction. They are RFC 4122 v4
// UUIDs from the operating system's CSPRNG (getrandom, in blocks, as crypto.randomUUID does).
const { manager } = require('./helpers');

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('1M ids issued through the manager are well-formed v4 UUIDs and all distinct', () => {
  const m = manager({ interactionTimeoutMs: 0 });
  const seen = new Set();
  let malformed = 0;
  let last;
  m.on('interaction-request', (i) => (last = i.id));
  for (let i = 0; i < 1_000_000; i++) {
    m.requestInteraction({ type: 'permission', sessionId: null, data: null });
    if (!UUID_V4.test(last)) malformed++;
    seen.add(last);
    m.resolveInteraction(last, null);
  }
  expect(malformed).toBe(0);
  expect(seen.size).toBe(1_000_000);
  // Version and variant aside, every hex digit position takes all 16 values: no fixed bits.
  const digits = [...seen].slice(0, 20_000);
  for (const pos of [0, 9, 15, 20, 35]) {
    expect(new Set(digits.map((id) => id[pos])).size).toBe(16);
  }
});
