import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// npm scripts run through scripts/bootstrap.mjs, which installs Node 24 into .local/ when the
// machine's node is older and puts it first on PATH. This proves it in CI: the test process and
// any `node` it spawns are Node 24. (Running vitest directly under an older node fails here: use
// `npm run test:unit`.)
describe('Node runtime', () => {
  it('runs tests on Node 24 or newer', () => {
    expect(Number(process.versions.node.split('.')[0]), `process.version ${process.version}`).toBeGreaterThanOrEqual(24);
  });

  it('puts the same Node 24 first on PATH for child processes', () => {
    const r = spawnSync('node', ['--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim().replace(/^v/, '').split('.')[0])).toBeGreaterThanOrEqual(24);
  });
});
