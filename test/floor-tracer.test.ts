// The bench's floor tracer (native/floor-tracer.c): it must run the command to its end under
// either kind of stops, pass its exit status on, and write the span the bench reads.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineTablesFor } from '../tracer/cli/engine-tables.js';
import { FLOOR_TRACER, floorCommand, floorStops, readFloorSpan } from '../tracer/bench/floor.js';
import { isRoot, withTempDir } from './helpers/cli.js';

const skipReason = !existsSync(FLOOR_TRACER) ? 'the floor tracer is not built (npm run build)' : !isRoot ? 'not root (ptrace of a namespaced command)' : null;
if (skipReason) console.warn(`floor tracer test skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('the floor tracer', () => {
  const script = 'sh -c "exit 0"; unshare --pid --fork true; exit 3';
  for (const stops of ['default set', 'every syscall'] as const) {
    it(`runs a command with forks, execs and an unshare to its end: ${stops}`, () => {
      withTempDir((dir) => {
        const spanFile = join(dir, 'span');
        const argv = floorCommand(stops === 'every syscall' ? 'all' : floorStops(engineTablesFor({})), spanFile, ['sh', '-c', script]);
        const run = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
        expect(run.status, run.stderr).toBe(3);
        expect(readFloorSpan(spanFile)).toBeGreaterThan(0);
      });
    });
  }

  it('refuses a command line it cannot read', () => {
    const run = spawnSync(FLOOR_TRACER, ['--record', 'x', '--', 'true'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: ct-floor-tracer/);
  });
});
