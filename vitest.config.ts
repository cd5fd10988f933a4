import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'functions/**/*.test.ts', 'connectors/**/*.test.ts', 'dev/**/*.test.ts', 'template/**/*.test.ts', 'dashboard/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['node_modules/**', '.local/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration tests share one local stack; run files one at a time on this 2-core machine.
    fileParallelism: false,
    reporters: ['default'],
  },
});
