#!/usr/bin/env node
// Committed entry point (npm links bins at install time, before `npm run build` creates dist/).
import('../dist/bin.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js')) {
    process.stderr.write('ddbec: the CLI is not built yet; run `npm run build` at the repository root first\n');
    process.exitCode = 1;
    return;
  }
  throw error;
});
