/**
 * Loading `pkcs11js` (an optional peer dependency, a native addon) and a PKCS#11 module, and
 * turning Cryptoki return values into ddbec errors.
 */
import type * as Pkcs11js from 'pkcs11js';
import { DdbecError, type DdbecErrorCode } from '../errors.js';

export type Binding = typeof Pkcs11js;
export type Handle = Buffer;

let binding: Promise<Binding> | undefined;

/** `pkcs11js`, loaded on first use: applications that never open a token need not install it. */
export function loadBinding(): Promise<Binding> {
  binding ??= import('pkcs11js').then(
    (module: Binding & { default?: Binding }) => module.default ?? module,
    (cause: unknown) => {
      binding = undefined;
      throw new DdbecError('ERR_PKCS11_UNAVAILABLE', 'ddbec/pkcs11 needs the optional peer dependency pkcs11js (npm install pkcs11js)', { cause });
    },
  );
  return binding;
}

/** A loaded, initialised PKCS#11 module, shared by every token opened on it in this thread. */
export interface Module {
  readonly pkcs11: Pkcs11js.PKCS11;
  /** False when the module was already initialised by other code in the process: then it is never finalised here. */
  readonly owned: boolean;
  users: number;
}

const modules = new Map<string, Module>();

export function acquireModule(p: Binding, path: string): Module {
  const known = modules.get(path);
  if (known !== undefined) {
    known.users += 1;
    return known;
  }
  const pkcs11 = new p.PKCS11();
  try {
    pkcs11.load(path);
  } catch (cause) {
    throw new DdbecError('ERR_PKCS11_UNAVAILABLE', `the PKCS#11 module ${path} could not be loaded`, { cause });
  }
  let owned = true;
  try {
    // The library may be called from libuv's worker threads: let it use the OS's locks.
    pkcs11.C_Initialize({ flags: p.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (ckr(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      throw new DdbecError('ERR_PKCS11_UNAVAILABLE', `the PKCS#11 module ${path} could not be initialised (${ckr(error) ?? 'error'})`, { cause: error });
    }
    owned = false;
  }
  const module: Module = { pkcs11, owned, users: 1 };
  modules.set(path, module);
  return module;
}

export function releaseModule(path: string, module: Module): void {
  module.users -= 1;
  if (module.users > 0) return;
  modules.delete(path);
  if (module.owned) {
    try {
      module.pkcs11.C_Finalize();
    } catch {
      // Nothing more to release.
    }
  }
  module.pkcs11.close();
}

/** The `CKR_…` name of a Cryptoki error, if it is one. */
export function ckr(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : undefined;
  return message !== undefined && /^CKR_[A-Z0-9_]+$/.test(message) ? message : undefined;
}

/** Return values that mean the key lacks the attribute an operation needs. */
const NOT_PERMITTED = new Set(['CKR_KEY_FUNCTION_NOT_PERMITTED', 'CKR_KEY_TYPE_INCONSISTENT']);

/**
 * A failed operation as a ddbec error: `outcome` (say ERR_UNWRAPPING_FAILED) for the return
 * values that wrong data or a wrong key produce, ERR_PKCS11_KEY_USAGE when the key may not do
 * this, ERR_PKCS11_FAILED (with the CKR name, which is not secret) for a failing token.
 */
export function operationError(error: unknown, outcome: DdbecErrorCode, dataErrors: ReadonlySet<string>, what: string, attribute: string): DdbecError {
  const name = ckr(error);
  if (name !== undefined && NOT_PERMITTED.has(name)) {
    return new DdbecError('ERR_PKCS11_KEY_USAGE', `${what} may not be used for this: the token refused it (${name}; check ${attribute})`);
  }
  if (name !== undefined && dataErrors.has(name)) return new DdbecError(outcome, `${what}: the operation failed`);
  return new DdbecError('ERR_PKCS11_FAILED', `${what}: the token failed (${name ?? 'native error'})`, { cause: error });
}
