import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { isDdbecError } from 'ddbec';
import { demo } from './commands/demo.js';
import { vectorsDecrypt, vectorsEncrypt } from './commands/vectors.js';
import { EXIT, UsageError, type Io } from './io.js';

const USAGE = `Usage: ddbec <command> [options]

Commands:
  demo                                         encrypt, read and tamper with an item, in memory
  vectors decrypt <scenarios.json> [--kms-endpoint URL] [--json]
                                               decrypt a Java/Python-format vector set and compare with its plaintext
  vectors encrypt <scenarios.json> --out <dir> [--kms-endpoint URL] [--json]
                                               encrypt the vector plaintexts with ddbec into a new vector set

Options:
  -h, --help     show this help
  -v, --version  show the version
`;

/** Runs one command line; returns the exit code. The only place that maps errors to exit codes. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`ddbec: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (isDdbecError(error)) {
      io.stderr.write(`ddbec: ${error.code}: ${error.message}\n`);
      return EXIT.failed;
    }
    io.stderr.write(`ddbec: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.version) {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const [command, sub, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  switch (command) {
    case 'demo':
      if (sub !== undefined) throw new UsageError(`unexpected argument "${sub}"`);
      return demo({}, io);
    case 'vectors': {
      const [scenarios, extra] = rest;
      if (scenarios === undefined) throw new UsageError('vectors needs a path to scenarios.json');
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
      if (sub === 'decrypt') return vectorsDecrypt({ scenarios, kmsEndpoint: values['kms-endpoint'], json: values.json }, io);
      if (sub === 'encrypt') {
        if (values.out === undefined) throw new UsageError('vectors encrypt needs --out <dir>');
        return vectorsEncrypt({ scenarios, out: values.out, kmsEndpoint: values['kms-endpoint'], json: values.json }, io);
      }
      throw new UsageError(`unknown vectors command "${sub ?? ''}" (decrypt or encrypt)`);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        'kms-endpoint': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
