import type { Item } from 'ddbec';
import { line, write, type Io } from './io.js';
import { itemLines, jsonText, plainItem, toDynamoJson } from './items.js';
import type { ReadFailure } from './table.js';

/** A key as `name="value", …` (DynamoDB JSON values). */
export function describeKey(key: Item): string {
  return Object.entries(toDynamoJson(key))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(', ');
}

/** How `scan` and `query` print items: text blocks, or the AWS CLI's JSON (`plain`: native values). */
export interface ReadFormat {
  readonly json: boolean;
  readonly plain: boolean;
}

/**
 * Items formatted as the output prints them, without the separator before the first:
 * `ends[i]` is where the text of item `i` ends, so a reader can print a prefix of the items.
 */
export interface ItemsText {
  readonly text: string;
  readonly ends: number[];
}

function toJsonOf(format: ReadFormat): (item: Item) => Record<string, unknown> {
  return format.plain ? plainItem : toDynamoJson;
}

/** The separator between two items: JSON array elements, or text blocks with a blank line between. */
function separator(format: ReadFormat): string {
  return format.json ? ',\n' : '\n';
}

/** Formats items (on any thread: a `scan --threads` worker formats its pages). */
export function itemsText(items: readonly Item[], format: ReadFormat): ItemsText {
  const toJson = toJsonOf(format);
  const between = separator(format);
  const ends: number[] = [];
  let text = '';
  for (const item of items) {
    if (ends.length > 0) text += between;
    text += format.json ? `    ${jsonText(toJson(item), '    ')}` : `${itemLines(item).join('\n')}\n`;
    ends.push(text.length);
  }
  return { text, ends };
}

/**
 * The standard output of `scan` and `query`: written page by page (waiting for a slow reader),
 * up to `limit` items; `--json` prints what one `jsonText` of the whole result would.
 */
export class ReadOutput {
  readonly #io: Io;
  readonly #format: ReadFormat;
  readonly #limit: number;
  #shown = 0;

  constructor(io: Io, format: ReadFormat, limit = Infinity) {
    this.#io = io;
    this.#format = format;
    this.#limit = limit;
  }

  /** Items the limit still lets through. */
  get remaining(): number {
    return this.#limit - this.#shown;
  }

  async begin(): Promise<void> {
    if (this.#format.json) await write(this.#io.stdout, '{\n  "Items": [');
  }

  /** Writes the items of `page` the limit lets through. */
  async items(page: ItemsText): Promise<void> {
    const count = Math.min(page.ends.length, this.remaining);
    if (count <= 0) return;
    const before = this.#shown === 0 ? (this.#format.json ? '\n' : '') : separator(this.#format);
    this.#shown += count;
    await write(this.#io.stdout, before + page.text.slice(0, page.ends[count - 1]));
  }

  /** Writes the end of the result (counts and failures); true when no item was refused. */
  async finish(failures: readonly ReadFailure[], scanned: number): Promise<boolean> {
    const shown = this.#shown;
    if (this.#format.json) {
      const toJson = toJsonOf(this.#format);
      const failed = failures.map((failure) => ({ Key: toJson(failure.key), Code: failure.code, Message: failure.message }));
      await write(this.#io.stdout, `${shown === 0 ? '' : '\n  '}],\n  "Count": ${shown},\n  "ScannedCount": ${scanned},\n  "Failures": ${jsonText(failed, '  ')}\n}\n`);
    } else {
      for (const failure of failures) line(this.#io.stderr, `ddbec: ${describeKey(failure.key)}: ${failure.code}: ${failure.message}`);
      line(this.#io.stdout, `${shown} item${shown === 1 ? '' : 's'}${failures.length > 0 ? `, ${failures.length} refused` : ''}`);
    }
    return failures.length === 0;
  }
}
