import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Two cores: one worker keeps timings calm and memory use low.
    pool: 'forks',
    maxWorkers: 2,
  },
});
