import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the index snapshot of content/ once for every test app (test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // Passwords hashed at a low scrypt cost (test/support/password-cost.ts).
    setupFiles: ['test/support/password-cost.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
