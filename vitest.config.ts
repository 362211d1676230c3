import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tracing tests start processes and read the host's /proc: run files one at a time so
    // timing-sensitive comparisons do not fight each other for the two CPUs.
    fileParallelism: false,
  },
});
