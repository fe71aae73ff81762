import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { isDdbecError } from 'ddbec';
import { isConfigError } from 'ddbec/config';
import { connectionProblem } from './aws.js';
import { COMMANDS } from './commands/index.js';
import { commandHelp, CONFIG_REFERENCE, markdown, overview } from './help.js';
import { CommandFailed, EXIT, UsageError, type Io } from './io.js';
import { optionsOf, type CommandSpec } from './spec.js';

const HELP: CommandSpec = {
  name: 'help',
  summary: 'show help for every command or for one (`help config`: the configuration file); --markdown prints the reference',
  args: '[command]',
  positionals: [0, 2],
  options: { markdown: { type: 'boolean', description: 'print the whole reference as Markdown (packages/cli/docs/cli.md)' } },
  run: (args, io) => {
    if (args.values['markdown'] === true) io.stdout.write(markdown(ALL));
    else if (args.positionals.length === 0) io.stdout.write(overview(ALL));
    else if (args.positionals.join(' ') === 'config') io.stdout.write(CONFIG_REFERENCE);
    else io.stdout.write(commandHelp(find(args.positionals) ?? unknownCommand(args.positionals)));
    return Promise.resolve(EXIT.ok);
  },
};

/** Every command, in the order of the reference. */
export const ALL: readonly CommandSpec[] = [...COMMANDS, HELP];

/** Runs one command line; returns the exit code. The only place that maps errors to exit codes. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let spec: CommandSpec | undefined;
  try {
    const [first] = argv;
    if (first === undefined || first === '-h' || first === '--help') {
      io.stdout.write(overview(ALL));
      return EXIT.ok;
    }
    if (first === '-v' || first === '--version') {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const words: string[] = [];
    for (const word of argv.slice(0, 2)) {
      if (word.startsWith('-')) break;
      words.push(word);
    }
    spec = find(words) ?? unknownCommand(words);
    const rest = argv.slice(spec.name.split(' ').length);
    if (rest.includes('-h') || rest.includes('--help')) {
      io.stdout.write(commandHelp(spec));
      return EXIT.ok;
    }
    const { values, positionals } = parse(spec, rest);
    const [min, max] = spec.positionals ?? [0, 0];
    if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max] ?? ''}"`);
    if (positionals.length < min) throw new UsageError(`${spec.name} needs ${spec.args ?? 'an argument'}`);
    return await spec.run({ values, positionals }, io);
  } catch (error) {
    return report(error, spec, io);
  }
}

function report(error: unknown, spec: CommandSpec | undefined, io: Io): number {
  const say = (text: string): void => {
    io.stderr.write(`ddbec: ${text}\n`);
  };
  if (error instanceof UsageError) {
    say(error.message);
    io.stderr.write(`\n${spec === undefined ? overview(ALL) : commandHelp(spec)}`);
    return EXIT.usage;
  }
  if (isConfigError(error)) {
    say(`invalid configuration${error.file === undefined ? '' : ` ${error.file}`}:`);
    for (const issue of error.issues) io.stderr.write(`  ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}\n`);
    return EXIT.usage;
  }
  const network = connectionProblem(error);
  if (network !== undefined) {
    say(network);
    return EXIT.failed;
  }
  if (error instanceof CommandFailed) say(error.message);
  else if (isDdbecError(error)) say(`${error.code}: ${error.message}`);
  else if (isAwsServiceError(error)) say(`${error.name}: ${error.message}`);
  else if (error instanceof Error) say(error.message);
  else say(String(error));
  return EXIT.failed;
}

function isAwsServiceError(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === 'object';
}

function find(words: readonly string[]): CommandSpec | undefined {
  const two = words.slice(0, 2).join(' ');
  return ALL.find((command) => command.name === two) ?? ALL.find((command) => command.name === words[0]);
}

function unknownCommand(words: readonly string[]): never {
  const [first, second] = words;
  if (first === undefined) throw new UsageError('no command given');
  const family = ALL.filter((command) => command.name.startsWith(`${first} `)).map((command) => command.name.split(' ')[1]);
  if (family.length > 0) throw new UsageError(`unknown ${first} command "${second ?? ''}" (${family.join(', ')})`);
  throw new UsageError(`unknown command "${first}"`);
}

function parse(spec: CommandSpec, args: readonly string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, option] of Object.entries(optionsOf(spec))) {
    options[name] = option.short === undefined ? { type: option.type } : { type: option.type, short: option.short };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error));
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
