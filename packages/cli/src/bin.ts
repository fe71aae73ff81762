import { main } from './cli.js';
import { EXIT } from './io.js';

// The CLI supports Node.js 20; the AWS SDK's advice to move to Node.js 22 is not the user's
// concern on every command (set the variable to "false" to see it again).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

// A reader that went away (`ddbec scan … | head -1`) ends the command quietly, as it ends a
// coreutils program; Node reports it as an EPIPE error on the stream.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT.brokenPipe);
  });
}

// Ctrl-C: exit 130 at once, unless a command listens for it to stop cleanly (`local up`); a
// second Ctrl-C then exits at once.
process.on('SIGINT', () => {
  if (process.listenerCount('SIGINT') === 1) process.exit(EXIT.interrupted);
});

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
