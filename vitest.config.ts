import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// SoftHSM2 (the PKCS#11 tests' token) reads SOFTHSM2_CONF with getenv(), which does not see a
// worker thread's copy of process.env: name the test token's configuration here, in the main
// process, so the workers inherit it (never a developer's own SoftHSM configuration). The test
// creates the file and its token directory.
process.env.SOFTHSM2_CONF = join(tmpdir(), `ddbec-softhsm-${process.pid}`, 'softhsm2.conf');

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
