// Issue 9, defect 12: the short soak's criterion must fail on a real leak. A run that keeps
// every 100th interaction's payload (as a leaking manager would keep its records) must fail;
// the healthy 45-s run is `npm run test:soak`.
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('the soak fails when every 100th record is kept', () => {
  const script = path.join(__dirname, '..', 'scripts', 'soak.js');
  const r = spawnSync(process.execPath, ['--expose-gc', script, '--seconds', '12', '--leak-every', '100'], { encoding: 'utf8', timeout: 55_000 });
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/soak: FAILED \(.*\d+ data objects not collected/);
  const kept = Number(r.stdout.match(/(\d+) not collected after everything settled/)[1]);
  const registered = Number(r.stdout.match(/data objects: (\d+) registered/)[1]);
  // The kept payloads, every 100th request that was admitted, and nothing else: the rest were
  // all collected (a refused request makes a payload but no event, so this is an upper bound).
  expect(kept).toBeGreaterThan(registered / 200);
  expect(kept).toBeLessThanOrEqual(Math.ceil(registered / 100));
}, 60_000);
