import { defineConfig } from 'vitest/config';

// Three projects by file suffix (style guide, [HIVE] vitest.config.ts):
// unit tests do no I/O, integration tests go through the real driver to
// localdb, end-to-end tests start every service as its own process.
export default defineConfig({
  // graphql 16 ships both CJS and ESM; Node (and so tsx in production) loads
  // the CJS build for everyone, but Vite would pick the ESM one for our code
  // while @apollo/* require the CJS one: two graphql instances. Pin Vite to
  // the CJS build so tests run the same modules as production.
  resolve: {
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    setupFiles: ['tests/setup/failOnConsole.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [
            '**/*.int.test.ts',
            '**/*.e2e.test.ts',
            'node_modules/**',
            '.data/**',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', '.data/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          // Start-up polls each service with a 300 s ceiling (tests/e2e/cityGraph.ts).
          hookTimeout: 360_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
