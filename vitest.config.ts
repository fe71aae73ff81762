import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'threads',
    env: {
      // The AWS SDK warns, once per loaded copy (so once per test file), that its releases after
      // January 2027 need Node.js 22. Silenced for the test run only (and the CLI processes it
      // starts): the library never sets this, so applications see the SDK's warning as usual.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
