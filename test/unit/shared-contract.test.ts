// The viewer and the tracer share one contract (the trace records, their schema, the namespace
// kinds, phases, renames, clone flags): the tracer's modules the viewer imports, and theirs in
// turn, must run in a browser, so none may reach a Node API. Follows the imports from web/src.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]!).filter(Boolean);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module outside web/ that the viewer reaches, with the bare imports each makes. */
function sharedModules(): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const queue = sourceFiles(join(repoRoot, 'web', 'src'));
  const seen = new Set(queue);
  while (queue.length) {
    const file = queue.shift()!;
    const outside = !file.startsWith(join(repoRoot, 'web'));
    const bare: string[] = [];
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) {
        bare.push(spec);
        continue;
      }
      const target = resolve(dirname(file), spec.replace(/\?.*$/, '')).replace(/\.js$/, '.ts'); // vite's ?worker suffixes
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
    if (outside) reached.set(relative(repoRoot, file), bare);
  }
  return reached;
}

describe('the contract the tracer and the viewer share', () => {
  const shared = sharedModules();

  it('holds the trace records, namespace kinds, phases, renames and clone flags', () => {
    expect([...shared.keys()]).toEqual(
      expect.arrayContaining(['tracer/trace/records.ts', 'tracer/trace/namespace-kinds.ts', 'tracer/analysis/phases.ts', 'tracer/analysis/renamed.ts', 'tracer/analysis/clone-flags.ts']),
    );
  });

  it('reaches no Node API (the viewer runs it in a browser) and not the engine wire layout', () => {
    const nodeUses = [...shared].flatMap(([file, bare]) => bare.filter((spec) => spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'net', 'zlib', 'crypto', 'url'].includes(spec)).map((spec) => `${file} imports ${spec}`));
    expect(nodeUses).toEqual([]);
    expect([...shared.keys()].filter((file) => file.startsWith('tracer/protocol/') || file.startsWith('tracer/engine/') || file.startsWith('tracer/cli/'))).toEqual([]);
  });
});
