// The CLI as one ES module (plus a chunk per command, loaded when it runs): Node then reads,
// resolves and compiles a few files instead of ~80 modules and commander's, which took about
// 35 ms of every `cttrace trace` (measured with hyperfine: 258 -> 222 ms for `trace -- true`).
// koffi stays outside: it loads a native addon from its own package folder.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: { cttrace: 'tracer/cli/main.ts' },
  platform: 'node',
  external: ['koffi'],
  output: {
    dir: 'dist/cli',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name].js',
    minify: false,
  },
});
