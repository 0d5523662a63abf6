'use strict';
// `npm run demo -- --cluster 3`, small: three example-host processes on a redis-server the demo
// starts itself, WebSocket browsers on random processes, one owner killed. It exits 0 only when
// nothing failed, every killed prompt was seen ending OWNER_GONE, nothing is pending and no key
// is left in Redis. The rows are matched before the exit code so that a failure shows the table,
// and the timeout and grace are the size a loaded CI machine needs: at 600/300 ms a prompt could
// time out, or a reload miss its grace, before a busy process got to it.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

test('the cluster demo: answered anywhere, owner killed, 0 pending, 0 keys left', () => {
  const demo = path.join(__dirname, '..', 'examples', 'demo.mjs');
  const r = spawnSync(process.execPath, [demo, '--cluster', '3', '--cycles', '80', '--concurrency', '10', '--timeout-ms', '5000', '--grace-ms', '2000'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stdout).toMatch(/\| answered on another process \(a second tab there\)\s+\|\s+20 \|/);
  expect(r.stdout).toMatch(/\| reloaded to another process, synced and answered there\s+\|\s+20 \|/);
  expect(r.stdout).toMatch(/\| {3}\.\.\. OWNER_GONE seen by their tab on another process\s+\|\s+20 \|/);
  expect(r.stdout).toMatch(/\| pending at the end, per process\s+\|\s+0 \/ 0 \/ 0 \|/);
  expect(r.stdout).toMatch(/\| Redis keys left, running \(besides liveness keys\)\s+\|\s+0 \|/);
  expect(r.stdout).toMatch(/\| failed browser sessions\s+\|\s+0 \|/);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
