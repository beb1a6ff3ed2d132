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
    // expect.poll waits for something that happens on its own (a send through the throttle, a
    // page's fetch): its 1 s default is too short when three forks share two busy cores.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on this 2-core machine,
    // idle while the e2e tests wait on sockets, throttles and Chromium. Two forks still left the
    // cores idle a third of the time (npm test: 147 s wall for 214 s of CPU on 2 cores); three
    // fill it: 108 s wall, 196 s of CPU, every test passing (quiet machine, 2026-12-07).
    maxWorkers: 3,
    // Files in one fork share its module cache: importing the app's module graph (fastify,
    // grammY, zod, the knowledge code) cost ~1.5 s of CPU per file when each file had its own.
    // Test files keep no state in shared modules (password-cost.ts is re-applied per file).
    isolate: false,
  },
});
