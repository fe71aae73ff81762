import type * as Pkcs11js from 'pkcs11js';
import type { Handle } from './binding.js';

/**
 * A pool of read-write sessions on one token. PKCS#11 allows one active operation per
 * session, so concurrent operations each take a session; up to `max` are opened, then callers
 * queue. A login is per application and token, so every pooled session shares it.
 */
export class SessionPool {
  readonly #pkcs11: Pkcs11js.PKCS11;
  readonly #slot: Handle;
  readonly #flags: number;
  readonly #max: number;
  readonly #idle: Handle[] = [];
  readonly #all: Handle[] = [];
  readonly #waiting: ((session: Handle) => void)[] = [];

  constructor(pkcs11: Pkcs11js.PKCS11, slot: Handle, flags: number, max: number) {
    this.#pkcs11 = pkcs11;
    this.#slot = slot;
    this.#flags = flags;
    this.#max = max;
  }

  /** Opens one session now (to log in with), and keeps it in the pool. */
  first(): Handle {
    const session = this.#open();
    this.#idle.push(session);
    return session;
  }

  /** Runs `operation` on a session of its own. */
  async use<T>(operation: (session: Handle) => Promise<T> | T): Promise<T> {
    const session = this.#idle.pop() ?? (this.#all.length < this.#max ? this.#open() : await new Promise<Handle>((resolve) => this.#waiting.push(resolve)));
    try {
      return await operation(session);
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next(session);
      else this.#idle.push(session);
    }
  }

  /** Closes every session (the token logs the application out when its last session closes). */
  close(): void {
    for (const session of this.#all.splice(0)) {
      try {
        this.#pkcs11.C_CloseSession(session);
      } catch {
        // Already closed (token removed, module finalised elsewhere).
      }
    }
    this.#idle.length = 0;
  }

  #open(): Handle {
    const session = this.#pkcs11.C_OpenSession(this.#slot, this.#flags);
    this.#all.push(session);
    return session;
  }
}
