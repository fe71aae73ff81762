import { main } from './cli.js';

// The CLI supports Node.js 20; the AWS SDK's advice to move to Node.js 22 is not the user's
// concern on every command (set the variable to "false" to see it again).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
