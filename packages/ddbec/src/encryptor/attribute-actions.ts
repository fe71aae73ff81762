import { DdbecError } from '../errors.js';
import { CryptoAction, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE } from '../format/index.js';

export interface AttributeActionsInit {
  /** The action for every attribute without an override. Default: `EncryptAndSign`. */
  readonly defaultAction?: CryptoAction;
  /** Per-attribute overrides. */
  readonly attributeActions?: Readonly<Record<string, CryptoAction>> | ReadonlyMap<string, CryptoAction>;
}

const VALID_ACTIONS: ReadonlySet<string> = new Set(Object.values(CryptoAction));
const RANK: Readonly<Record<CryptoAction, number>> = { DO_NOTHING: 0, SIGN_ONLY: 1, ENCRYPT_AND_SIGN: 2 };

/**
 * What to do with each attribute: a default action plus per-attribute overrides (the Python
 * client's `AttributeActions`). Immutable. The decryptor must use exactly the actions the
 * encryptor used: the stored item does not record them.
 */
export class AttributeActions {
  readonly defaultAction: CryptoAction;
  /** True when no attribute can be signed or encrypted (then items pass through unchanged). */
  readonly takesNoActions: boolean;
  readonly #overrides: ReadonlyMap<string, CryptoAction>;

  constructor(init: AttributeActionsInit = {}) {
    const defaultAction = init.defaultAction ?? CryptoAction.EncryptAndSign;
    checkAction(defaultAction, 'defaultAction');
    const entries =
      init.attributeActions instanceof Map
        ? [...(init.attributeActions as ReadonlyMap<string, CryptoAction>)]
        : Object.entries((init.attributeActions ?? {}) as Readonly<Record<string, CryptoAction>>);
    const overrides = new Map<string, CryptoAction>();
    for (const [name, action] of entries) {
      if (name === SIGNATURE_ATTRIBUTE || name === MATERIAL_DESCRIPTION_ATTRIBUTE) {
        throw new DdbecError('ERR_RESERVED_ATTRIBUTE', `"${name}" is reserved for ddbec and cannot have an action`);
      }
      checkAction(action, `action for "${name}"`);
      overrides.set(name, action);
    }
    this.defaultAction = defaultAction;
    this.#overrides = overrides;
    this.takesNoActions = defaultAction === CryptoAction.DoNothing && [...overrides.values()].every((action) => action === CryptoAction.DoNothing);
  }

  /** Every attribute DO_NOTHING: items are read and written unchanged, unsigned. */
  static takeNoActions(): AttributeActions {
    return new AttributeActions({ defaultAction: CryptoAction.DoNothing });
  }

  /** All attributes EncryptAndSign except the named ones, which are SignOnly (Java's `encryptAllFieldsExcept`). */
  static encryptAllExcept(...signOnly: string[]): AttributeActions {
    return new AttributeActions({ attributeActions: Object.fromEntries(signOnly.map((name) => [name, CryptoAction.SignOnly])) });
  }

  actionOf(attributeName: string): CryptoAction {
    return this.#overrides.get(attributeName) ?? this.defaultAction;
  }

  /** The explicit overrides, for display and for deriving new actions. */
  get overrides(): ReadonlyMap<string, CryptoAction> {
    return this.#overrides;
  }



  /**
   * The same actions with key attributes protected: an attribute that would be encrypted
   * becomes SignOnly (the Python helpers' behaviour). An explicit override that asks to
   * encrypt a key attribute is refused with `ERR_KEY_ATTRIBUTE_ENCRYPTED`.
   */
  withKeyAttributes(...keyAttributes: readonly (string | undefined)[]): AttributeActions {
    const overrides = new Map(this.#overrides);
    for (const name of keyAttributes) {
      if (name === undefined) continue;
      const explicit = this.#overrides.get(name);
      if (explicit === CryptoAction.EncryptAndSign) {
        throw new DdbecError('ERR_KEY_ATTRIBUTE_ENCRYPTED', `key attribute "${name}" cannot be encrypted (it must stay readable to DynamoDB); use SignOnly`);
      }
      if (explicit === undefined) overrides.set(name, min(this.defaultAction, CryptoAction.SignOnly));
    }
    return new AttributeActions({ defaultAction: this.defaultAction, attributeActions: overrides });
  }
}

function min(a: CryptoAction, b: CryptoAction): CryptoAction {
  return RANK[a] <= RANK[b] ? a : b;
}

function checkAction(action: unknown, what: string): asserts action is CryptoAction {
  if (typeof action !== 'string' || !VALID_ACTIONS.has(action)) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} must be one of ${[...VALID_ACTIONS].join(', ')}`);
  }
}
