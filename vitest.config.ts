// Test runner settings. tfjs work is CPU-bound and single-threaded per process, so test files
// run in forked processes spread over the cores. Most files share their fork's module cache
// (`isolate: false`): importing tfjs and the core costs ~1–3 s per file, which isolated files
// paid 143 times (about a third of the suite's wall time). test/support/fresh-file.ts resets
// the one piece of engine state a file may leave behind (the active backend) before each file.
// Files that replace modules with vi.mock need a module cache of their own and stay isolated.
// The JSON report is what .ci/run reads for its "N passed, N failed" line.
import { defineConfig } from 'vitest/config';

const MOCKING_FILES = ['test/cli/run-failure.test.ts', 'test/cli/run-report-failure.test.ts'];

export default defineConfig({
  test: {
    // Both cores: most files wait on tfjs in their own process or on a spawned CLI.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: MOCKING_FILES,
          pool: 'forks',
          isolate: false,
          setupFiles: ['test/support/fresh-file.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'isolated', include: MOCKING_FILES, pool: 'forks', isolate: true },
      },
    ],
  },
});
