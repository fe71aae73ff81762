// The local KMS in its own process, for benchmarks: a real KMS does its work on other machines,
// so it must not share this process's event loop and CPU with the code being measured.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const localEntry = fileURLToPath(new URL('../../local/dist/index.js', import.meta.url));

/** Starts `startLocalKms({ latencyMs })` in a child process; resolves with its endpoint and a stop(). */
export async function startKmsProcess({ latencyMs = 0 } = {}) {
  const code = `
    const { startLocalKms } = await import(${JSON.stringify(localEntry)});
    const kms = await startLocalKms({ latencyMs: ${Number(latencyMs)} });
    process.stdout.write(kms.endpoint + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => kms.stop().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const endpoint = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (status) => reject(new Error(`local KMS process exited (${status})`)));
    child.stdout.once('data', (chunk) => resolve(String(chunk).trim()));
  });
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Adds a middleware to an SDK client that counts the commands it sends. */
export function countCommands(client) {
  const counts = { total: 0 };
  client.middlewareStack.add(
    (next) => (args) => {
      counts.total += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
  return counts;
}
