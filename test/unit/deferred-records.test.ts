// When nobody watches live (-q without --json or --web), the session holds the engine's bytes
// and hands the records over only once the traced command is done; past a limit, they flow live
// again. The command makes a marker file as its last act: whether the marker already existed
// when the first record arrived tells which way the records came.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCommand } from '../../tracer/cli/resolve-command.js';
import { engineTablesFor } from '../../tracer/cli/engine-tables.js';
import { startSession } from '../../tracer/engine/session.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function traceUntilMarker(defer: { deferRecords?: boolean; deferLimitBytes?: number }) {
  dir = mkdtempSync(join(tmpdir(), 'cttrace-defer-'));
  const marker = join(dir, 'done');
  // sh, five trues and a sleep: seven execs, then a pause long enough for the engine's 20 ms flush, then the marker.
  const script = `for i in 1 2 3 4 5; do /bin/true; done; sleep 0.3; : > ${marker}`;
  let markerAtFirstRecord: boolean | undefined;
  const types: string[] = [];
  const session = startSession({
    target: { kind: 'command', path: resolveCommand('sh'), argv: ['sh', '-c', script] },
    traceAll: false,
    tables: engineTablesFor({}),
    ...defer,
    onRecord(raw) {
      markerAtFirstRecord ??= existsSync(marker);
      types.push(raw.type);
    },
  });
  expect(await session.done).toBe(0);
  return { markerAtFirstRecord, types };
}

describe('records held until the traced command is done', () => {
  it('live: the first records arrive while the command still runs', async () => {
    const live = await traceUntilMarker({});
    expect(live.markerAtFirstRecord).toBe(false);
    expect(live.types.filter((type) => type === 'exec')).toHaveLength(7);
  });

  it('deferred: every record arrives after the command is done, none lost', async () => {
    const deferred = await traceUntilMarker({ deferRecords: true });
    expect(deferred.markerAtFirstRecord).toBe(true);
    expect(deferred.types[0]).toBe('hello');
    expect(deferred.types.filter((type) => type === 'exec')).toHaveLength(7);
    expect(deferred.types.at(-1)).toBe('end');
  });

  it('deferred past the limit: the records flow live again, in order, none lost', async () => {
    const overLimit = await traceUntilMarker({ deferRecords: true, deferLimitBytes: 256 });
    expect(overLimit.markerAtFirstRecord).toBe(false);
    expect(overLimit.types[0]).toBe('hello');
    expect(overLimit.types.filter((type) => type === 'exec')).toHaveLength(7);
    expect(overLimit.types.at(-1)).toBe('end');
  });
});
