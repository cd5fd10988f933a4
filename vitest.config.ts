import { defineConfig } from 'vitest/config';

const roots = ['shared', 'functions', 'connectors', 'dev', 'template', 'dashboard', 'scripts', 'tests', 'bench'];

/**
 * Two tiers, told apart by file name:
 *  - unit: every `*.test.ts` that is not `*.int.test.ts`. Pure logic: no network beyond loopback
 *    sockets the test opens itself, no services, no root. `npm run test:unit`.
 *  - integration: `*.int.test.ts`, against the real local stack that `npm test` starts.
 * A test that needs Kafka, MongoDB, Redis, HDFS or Hive belongs in an `.int.test.ts` file.
 */
export default defineConfig({
  test: {
    exclude: ['node_modules/**', '.local/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    // One file at a time: integration tests share one local stack, and on this 2-core machine the
    // unit tier is no faster in parallel (measured: 40 s serial, 47 s parallel) and its timing
    // tests are steadier alone.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: roots.map((r) => `${r}/**/*.test.ts`),
          exclude: ['node_modules/**', '.local/**', '**/*.int.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: roots.map((r) => `${r}/**/*.int.test.ts`),
        },
      },
    ],
  },
});
