import type * as Pkcs11js from 'pkcs11js';
import { DdbecError } from '../errors.js';
import { ckr, type Handle } from './binding.js';

/** Return values after which a session is not used again (the token closed it, or failed). */
const BROKEN = /^CKR_(SESSION_|DEVICE_|TOKEN_NOT_PRESENT|CRYPTOKI_NOT_INITIALIZED)/;

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
  readonly #waiting: { resolve: (session: Handle) => void; reject: (error: Error) => void }[] = [];
  #closed = false;

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

  /** Runs `operation` on a session of its own; a session the token broke is closed, not reused. */
  async use<T>(operation: (session: Handle) => Promise<T> | T): Promise<T> {
    if (this.#closed) throw new DdbecError('ERR_PKCS11_FAILED', 'the PKCS#11 token has been closed');
    const session = this.#idle.pop() ?? (this.#all.length < this.#max ? this.#open() : await new Promise<Handle>((resolve, reject) => this.#waiting.push({ resolve, reject })));
    let broken = false;
    try {
      return await operation(session);
    } catch (error) {
      broken = BROKEN.test(ckr(error) ?? '');
      throw error;
    } finally {
      this.#release(session, broken);
    }
  }

  #release(session: Handle, broken: boolean): void {
    if (broken || this.#closed) {
      const index = this.#all.indexOf(session);
      if (index >= 0) this.#all.splice(index, 1);
      try {
        this.#pkcs11.C_CloseSession(session);
      } catch {
        // Already gone.
      }
      // A caller waiting for a session gets a new one.
      const next = this.#closed ? undefined : this.#waiting.shift();
      if (next !== undefined) {
        try {
          next.resolve(this.#open());
        } catch (error) {
          next.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) next.resolve(session);
    else this.#idle.push(session);
  }

  /** Closes every session (the token logs the application out when its last session closes). */
  close(): void {
    this.#closed = true;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(new DdbecError('ERR_PKCS11_FAILED', 'the PKCS#11 token has been closed'));
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
