// Test runner settings. tfjs work is CPU-bound and single-threaded per process, so each test
// file runs in its own forked process (one tfjs engine each) and files spread over the cores.
// The JSON report is what .ci/run reads for its "N passed, N failed" line.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Both cores: most files wait on tfjs in their own process or on a spawned CLI.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
