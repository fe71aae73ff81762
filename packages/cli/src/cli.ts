import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { isDdbecError } from 'ddbec';
import { isConfigError } from 'ddbec/config';
import { connectionProblem, kmsAtAwsProblem } from './aws.js';
import { COMMANDS } from './commands/index.js';
import { commandHelp, CONFIG_REFERENCE, markdown, overview, shortUsage } from './help.js';
import { BrokenPipe, CommandFailed, EXIT, UsageError, widthOf, type Io } from './io.js';
import { canonicalOption, GLOBAL_OPTIONS, OPTION_ALIASES, optionsOf, type CommandSpec, type OptionSpec } from './spec.js';

const HELP: CommandSpec = {
  name: 'help',
  summary: 'show help for every command or for one (`help config`: the configuration file); --markdown prints the reference',
  args: '[command]',
  positionals: [0, 2],
  options: { markdown: { type: 'boolean', description: 'print the whole reference as Markdown (packages/cli/docs/cli.md)' } },
  run: (args, io) => {
    if (args.values['markdown'] === true) io.stdout.write(markdown(ALL));
    else if (args.positionals.length === 0) io.stdout.write(overview(ALL, widthOf(io.stdout)));
    else if (args.positionals.join(' ') === 'config') io.stdout.write(CONFIG_REFERENCE);
    else io.stdout.write(commandHelp(find(args.positionals) ?? unknownCommand(args.positionals), widthOf(io.stdout)));
    return Promise.resolve(EXIT.ok);
  },
};

/** Every command, in the order of the reference. */
export const ALL: readonly CommandSpec[] = [...COMMANDS, HELP];

/** Runs one command line; returns the exit code. The only place that maps errors to exit codes. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let spec: CommandSpec | undefined;
  const width = widthOf(io.stdout);
  try {
    // Options every command takes may also come before the command.
    const leading = argv.findIndex((word) => !(word.startsWith('--') && Object.hasOwn(GLOBAL_OPTIONS, word.slice(2))));
    const globals = argv.slice(0, leading === -1 ? argv.length : leading);
    const words = argv.slice(globals.length);
    const [first] = words;
    if (first === undefined || first === '-h' || first === '--help') {
      io.stdout.write(overview(ALL, width));
      return EXIT.ok;
    }
    if (first === '-v' || first === '--version') {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const names: string[] = [];
    for (const word of words.slice(0, 2)) {
      if (word.startsWith('-')) break;
      names.push(word);
    }
    spec = find(names) ?? unknownCommand(names);
    const rest = [...globals, ...words.slice(spec.name.split(' ').length)];
    if (rest.includes('-h') || rest.includes('--help')) {
      io.stdout.write(commandHelp(spec, width));
      return EXIT.ok;
    }
    const { values, positionals } = parseCommandLine(spec, rest);
    const [min, max] = spec.positionals ?? [0, 0];
    if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max] ?? ''}"`);
    if (positionals.length < min) throw new UsageError(`${spec.name} needs ${spec.args ?? 'an argument'}`);
    return await spec.run({ values, positionals }, values['no-color'] === true ? { ...io, color: false } : io);
  } catch (error) {
    return report(error, spec, io);
  }
}

function report(error: unknown, spec: CommandSpec | undefined, io: Io): number {
  const say = (text: string): void => {
    io.stderr.write(`ddbec: ${text}\n`);
  };
  if (error instanceof BrokenPipe) return EXIT.brokenPipe;
  if (error instanceof UsageError) {
    say(error.message);
    io.stderr.write(shortUsage(spec));
    return EXIT.usage;
  }
  if (isConfigError(error)) {
    say(`invalid configuration${error.file === undefined ? '' : ` ${error.file}`}:`);
    for (const issue of error.issues) io.stderr.write(`  ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}\n`);
    return EXIT.usage;
  }
  const kmsAtAws = kmsAtAwsProblem(error);
  if (kmsAtAws !== undefined) {
    say(kmsAtAws);
    return EXIT.failed;
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
  const family = ALL.filter((command) => command.name.startsWith(`${first} `)).map((command) => command.name.split(' ')[1] ?? '');
  if (family.length > 0) {
    if (second === undefined) throw new UsageError(`${first} needs a command: ${family.join(', ')}`);
    const guess = closest(second, family);
    throw new UsageError(`unknown ${first} command "${second}" (${guess === undefined ? family.join(', ') : `did you mean ${first} ${guess}?`})`);
  }
  const guess = closest(first, [...new Set(ALL.map((command) => command.name.split(' ')[0] ?? ''))]);
  throw new UsageError(`unknown command "${first}"${guess === undefined ? '' : ` (did you mean ${guess}?)`}`);
}

/**
 * The command line of one command, checked against its options: unknown options (with the
 * closest known one), missing values and values given to flags are usage errors in ddbec's
 * words. Old spellings ({@link OPTION_ALIASES}) are read as the current ones; both names are set.
 */
export function parseCommandLine(spec: CommandSpec, args: readonly string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const known = new Map<string, OptionSpec>();
  for (const [name, option] of Object.entries({ ...optionsOf(spec), ...GLOBAL_OPTIONS })) known.set(canonicalOption(name), option);
  for (const [old, current] of Object.entries(OPTION_ALIASES)) {
    const option = known.get(current);
    if (option !== undefined) known.set(old, option);
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, option] of known) {
    const short = Object.hasOwn(OPTION_ALIASES, name) ? undefined : option.short;
    options[name] = short === undefined ? { type: option.type } : { type: option.type, short };
  }
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = known.get(token.name);
    if (option === undefined) {
      const guess = closest(token.name, [...known.keys()].filter((name) => !Object.hasOwn(OPTION_ALIASES, name)));
      throw new UsageError(`unknown option ${token.rawName}${guess === undefined ? '' : ` (did you mean --${guess}?)`}`);
    }
    const name = canonicalOption(token.name);
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
    } else {
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
        throw new UsageError(`--${name} needs a value${option.value === undefined ? '' : ` (${option.value})`}`);
      }
      values[name] = token.value;
    }
  }
  for (const [old, current] of Object.entries(OPTION_ALIASES)) if (values[current] !== undefined) values[old] = values[current];
  return { values, positionals };
}

/** The candidate closest to a mistyped word, if one is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  if (best !== undefined) return best.name;
  const extending = candidates.filter((name) => word.length >= 3 && name.startsWith(word));
  return extending.length === 1 ? extending[0] : undefined;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
