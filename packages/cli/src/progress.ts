/** How progress is shown: a bar redrawn in place (a terminal), or a line now and then (logs). */
export type ProgressMode = 'bar' | 'lines';

export interface ProgressOptions {
  readonly mode: ProgressMode;
  /** Items already done before this run (a resumed run). */
  readonly done?: number;
  /** Bar: how often it is redrawn; lines: how long at most between two lines (ms). */
  readonly intervalMs?: number;
  /** The clock, in ms (tests). */
  readonly now?: () => number;
}

/** The expected number of items; `estimated` when it is an estimate, shown as `≈`. */
export interface ProgressTotal {
  readonly items: number;
  readonly estimated: boolean;
}

/**
 * Progress of a long run: items done of the total, items/s and the time left. As a bar on a
 * terminal (one line rewritten with `\r`), or as plain lines for logs: one each time another
 * tenth of the total is done, and at least every `intervalMs` (default a minute).
 */
export class Progress {
  readonly #stream: { write(text: string): unknown; columns?: number };
  readonly #mode: ProgressMode;
  readonly #now: () => number;
  readonly #started: number;
  readonly #timer: NodeJS.Timeout;
  readonly #initial: number;
  #done: number;
  #total: ProgressTotal | undefined;
  #lastLine: number;
  #nextTenth = 1;

  constructor(stream: { write(text: string): unknown; columns?: number }, options: ProgressOptions) {
    this.#stream = stream;
    this.#mode = options.mode;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    this.#lastLine = this.#started;
    this.#done = options.done ?? 0;
    this.#initial = this.#done;
    const interval = options.intervalMs ?? (options.mode === 'bar' ? 200 : 60_000);
    this.#timer = setInterval(() => {
      if (this.#mode === 'bar') this.#draw();
      else if (this.#now() - this.#lastLine >= interval) this.#line();
    }, interval);
    this.#timer.unref();
    if (this.#mode === 'bar') this.#draw();
  }

  /** The total, once known (an estimate may arrive after the run started). */
  setTotal(total: ProgressTotal | undefined): void {
    this.#total = total !== undefined && total.items > 0 ? total : undefined;
    this.#skipPassedTenths();
  }

  tick(count = 1): void {
    this.#done += count;
    if (this.#mode === 'lines' && this.#total !== undefined && this.#done >= (this.#total.items * this.#nextTenth) / 10) {
      this.#skipPassedTenths();
      this.#line();
    }
  }

  /** Shows the final state (and ends the bar's line). */
  finish(): void {
    clearInterval(this.#timer);
    if (this.#mode === 'bar') {
      this.#draw();
      this.#stream.write('\n');
    } else this.#line();
  }

  #skipPassedTenths(): void {
    if (this.#total === undefined) return;
    while (this.#nextTenth <= 10 && this.#done >= (this.#total.items * this.#nextTenth) / 10) this.#nextTenth += 1;
  }

  #line(): void {
    this.#lastLine = this.#now();
    this.#stream.write(`progress: ${this.#parts().join('  ')}\n`);
  }

  #draw(): void {
    const parts = this.#parts();
    const total = this.#shownTotal();
    if (total !== undefined) {
      const width = 24;
      const filled = Math.min(width, Math.round((this.#done / total) * width));
      parts.unshift(`[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`);
    }
    const text = parts.join('  ');
    // A pseudo-terminal without a size reports 0 columns.
    const columns = (this.#stream.columns ?? 0) > 0 ? (this.#stream.columns ?? 0) : 100;
    this.#stream.write(`\r${text.slice(0, columns - 1).padEnd(Math.min(columns - 1, text.length + 4))}`);
  }

  /** The total shown: never less than what is done (an estimate can be short). */
  #shownTotal(): number | undefined {
    return this.#total === undefined ? undefined : Math.max(this.#total.items, this.#done);
  }

  /** `1,234/≈20,000 items (6%)`, `1,500 items/s`, `ETA ≈0:12`. */
  #parts(): string[] {
    const seconds = (this.#now() - this.#started) / 1000;
    const rate = seconds > 0 ? (this.#done - this.#initial) / seconds : 0;
    const total = this.#shownTotal();
    const about = this.#total?.estimated === true ? '≈' : '';
    const count = (value: number): string => value.toLocaleString('en-US');
    const parts: string[] = [];
    if (total === undefined) parts.push(`${count(this.#done)} items`);
    else parts.push(`${count(this.#done)}/${about}${count(total)} items (${Math.floor((this.#done / total) * 100)}%)`);
    parts.push(`${count(Math.round(rate))} items/s`);
    if (total !== undefined && rate > 0 && this.#done < total) parts.push(`ETA ${about}${clock((total - this.#done) / rate)}`);
    return parts;
  }
}

/** `1:05`, `0:03`, `1:02:03`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
