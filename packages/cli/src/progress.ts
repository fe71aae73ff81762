/** A one-line progress bar on a terminal: items done, items/s and the time left. */
export class ProgressBar {
  readonly #stream: { write(text: string): unknown; columns?: number };
  readonly #total: number | undefined;
  readonly #started = Date.now();
  readonly #timer: NodeJS.Timeout;
  #done: number;
  readonly #initial: number;

  /** `total`: the expected number of items, if known; `done`: items already done (a resumed run). */
  constructor(stream: { write(text: string): unknown; columns?: number }, total: number | undefined, done = 0, intervalMs = 200) {
    this.#stream = stream;
    this.#total = total !== undefined && total > 0 ? total : undefined;
    this.#done = done;
    this.#initial = done;
    this.#timer = setInterval(() => {
      this.#draw();
    }, intervalMs);
    this.#timer.unref();
  }

  tick(count = 1): void {
    this.#done += count;
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    clearInterval(this.#timer);
    this.#draw();
    this.#stream.write('\n');
  }

  #draw(): void {
    const seconds = (Date.now() - this.#started) / 1000;
    const rate = seconds > 0 ? (this.#done - this.#initial) / seconds : 0;
    const total = this.#total === undefined ? undefined : Math.max(this.#total, this.#done);
    const parts: string[] = [];
    if (total !== undefined) {
      const width = 24;
      const filled = Math.round((this.#done / total) * width);
      parts.push(`[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`, `${this.#done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} items`);
    } else parts.push(`${this.#done.toLocaleString('en-US')} items`);
    parts.push(`${Math.round(rate).toLocaleString('en-US')} items/s`);
    if (total !== undefined && rate > 0) parts.push(`ETA ${clock((total - this.#done) / rate)}`);
    const text = parts.join('  ');
    const columns = this.#stream.columns ?? 100;
    this.#stream.write(`\r${text.slice(0, columns - 1).padEnd(Math.min(columns - 1, text.length + 4))}`);
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
