/**
 * Standard and compound beacons (dbesdk-spec searchable-encryption/beacons.md): their values for
 * an item written (`hash`), for a query's value (`getPart`), and the plaintext they stand for.
 * Built and checked by table.ts; the error code of a failure is the caller's (a write or a query).
 */
import { hmacSha384 } from '../crypto/dbe.js';
import { DdbecError, type DdbecErrorCode } from '../errors.js';
import type { AttributeValue, Item } from '../format/attribute-value.js';
import { utf8Encode } from '../format/utf8.js';
import type { BeaconKeyMaterials } from '../keyrings/types.js';
import { serializeTerminal } from '../structured/attribute.js';
import { BEACON_PREFIX, type BeaconComparison, type QueryBeacon } from './types.js';
import { stringAt, typeName, valueAt, type TerminalLocation, type VirtualFieldDef } from './virtual.js';

const HEX = '0123456789abcdef';

/**
 * basicHash: HMAC-SHA384 of `bytes`, its first 8 bytes read big-endian, the rightmost `length`
 * bits as lowercase hex of ⌈length/4⌉ characters (leading zeros kept).
 */
export function basicHash(key: Uint8Array, bytes: Uint8Array, length: number): string {
  return truncatedHex(hmacSha384(key, bytes), length);
}

/** The rightmost `length` bits of the first 8 bytes, as basicHash formats them. */
export function truncatedHex(mac: Uint8Array, length: number): string {
  const chars = Math.ceil(length / 4);
  let hex = '';
  for (let i = 8 - Math.ceil(chars / 2); i < 8; i++) {
    const byte = mac[i] as number;
    hex += (HEX[byte >> 4] as string) + (HEX[byte & 15] as string);
  }
  hex = hex.slice(hex.length - chars);
  const topBits = length % 4 === 0 ? 4 : length % 4;
  const top = HEX.indexOf(hex[0] as string) & ((1 << topBits) - 1);
  return (HEX[top] as string) + hex.slice(1);
}

/** Beacon partition encoding: the bytes, plus one byte `partition % partitions` when that is not 0. */
export function withPartition(bytes: Uint8Array, partition: number, partitions: number): Uint8Array {
  const p = partition % partitions;
  if (p === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = p;
  return out;
}

/** The least common multiple of the partition counts, at most `max` (the DB-ESDK's lcmSeq). */
export function partitionLcm(counts: readonly number[], max: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let result = 1;
  for (const n of counts) {
    if (n === 1 || n === result) continue;
    result = Math.min(max, (result / gcd(result, n)) * n);
  }
  return result;
}

function isSet(value: AttributeValue): value is { SS: string[] } | { NS: string[] } | { BS: Uint8Array[] } {
  return 'SS' in value || 'NS' in value || 'BS' in value;
}

function setMembers(value: { SS: string[] } | { NS: string[] } | { BS: Uint8Array[] }): AttributeValue[] {
  if ('SS' in value) return value.SS.map((S) => ({ S }));
  if ('NS' in value) return value.NS.map((N) => ({ N }));
  return value.BS.map((B) => ({ B }));
}

/** What a standard beacon is configured as, checked. */
export interface StandardBeaconSpec {
  readonly name: string;
  readonly length: number;
  readonly loc: TerminalLocation;
  /** The virtual field `loc` names, if any. */
  readonly virtualField: VirtualFieldDef | undefined;
  readonly partOnly: boolean;
  readonly asSet: boolean;
  /** The beacon whose key this one uses (`shared` / `sharedSet`). */
  readonly share: string | undefined;
  readonly partitions: number;
}

/** A standard beacon. */
export class StandardBeaconDef implements QueryBeacon {
  readonly kind = 'standard';
  readonly encrypted = true;
  readonly name: string;
  readonly storedName: string;
  readonly asSet: boolean;
  readonly spec: StandardBeaconSpec;

  constructor(spec: StandardBeaconSpec) {
    this.spec = spec;
    this.name = spec.name;
    this.storedName = BEACON_PREFIX + spec.name;
    this.asSet = spec.asSet;
  }

  #key(materials: BeaconKeyMaterials | undefined, code: DdbecErrorCode): Uint8Array {
    if (materials === undefined) throw new DdbecError(code, `beacon ${this.name} needs a beacon key, and none is known here`);
    const name = this.spec.share ?? this.name;
    const key = materials.hmacKeys?.get(name);
    if (key === undefined) throw new DdbecError(code, `the beacon key materials have no HMAC key for beacon ${name}`);
    return key;
  }

  #hash(bytes: Uint8Array, key: Uint8Array, partition: number): string {
    return basicHash(key, withPartition(bytes, partition, this.spec.partitions), this.spec.length);
  }

  #hashValue(value: AttributeValue, key: Uint8Array, partition: number): string {
    return this.#hash(serializeTerminal(value).value, key, partition);
  }

  #hashSet(value: AttributeValue, key: Uint8Array, partition: number, code: DdbecErrorCode, where: string): AttributeValue {
    if (!isSet(value)) throw new DdbecError(code, `beacon ${this.name} has style asSet, but ${where} has type ${typeName(value)}`);
    const hashes = new Set(setMembers(value).map((member) => this.#hashValue(member, key, partition)));
    return { SS: [...hashes] };
  }

  /** The plaintext the beacon stands for: the value at its location (a virtual field's string). */
  plaintextOf(item: Item, code: DdbecErrorCode): AttributeValue | undefined {
    const { loc, virtualField } = this.spec;
    if (virtualField !== undefined) {
      const text = virtualField.evaluate(item, code);
      return text === undefined ? undefined : { S: text };
    }
    return valueAt(loc, item);
  }

  /** The beacon of an item, `undefined` when the item has no value at its location. */
  hash(item: Item, materials: BeaconKeyMaterials, partition: number): AttributeValue | undefined {
    const value = this.asSet ? valueAt(this.spec.loc, item) : this.plaintextOf(item, 'ERR_BEACON_WRITE');
    if (value === undefined) return undefined;
    const key = this.#key(materials, 'ERR_BEACON_WRITE');
    if (this.asSet) return this.#hashSet(value, key, partition, 'ERR_BEACON_WRITE', `attribute ${this.spec.loc.text}`);
    return { S: this.#hashValue(value, key, partition) };
  }

  /** Refuses an item this beacon cannot be computed for (checked before encryption, without keys). */
  check(item: Item): void {
    if (!this.asSet) {
      this.plaintextOf(item, 'ERR_BEACON_WRITE');
      return;
    }
    const value = valueAt(this.spec.loc, item);
    if (value !== undefined && !isSet(value)) {
      throw new DdbecError('ERR_BEACON_WRITE', `beacon ${this.name} has style asSet, but attribute ${this.spec.loc.text} has type ${typeName(value)}`);
    }
  }

  /** A compound beacon's encrypted part: the hash of the string's UTF-8 bytes. */
  hashString(text: string, materials: BeaconKeyMaterials | undefined, partition: number, code: DdbecErrorCode): string {
    return this.#hash(utf8Encode(text), this.#key(materials, code), partition);
  }

  partitionCount(): number {
    return this.spec.partitions;
  }

  queryValue(value: AttributeValue, materials: BeaconKeyMaterials | undefined, partition: number, comparison: BeaconComparison = 'equality'): AttributeValue {
    const key = this.#key(materials, 'ERR_BEACON_QUERY');
    const scalar = 'S' in value || 'N' in value || 'B' in value;
    if ((this.asSet && !scalar) || (comparison === 'contains' && isSet(value))) {
      return this.#hashSet(value, key, partition, 'ERR_BEACON_QUERY', 'the value');
    }
    try {
      return { S: this.#hashValue(value, key, partition) };
    } catch (error) {
      throw new DdbecError('ERR_BEACON_QUERY', `a value for beacon ${this.name} cannot be serialized`, { cause: error });
    }
  }

  checkLessThanComparable(): void {
    throw new DdbecError('ERR_BEACON_QUERY', `standard beacon ${this.name} can only be compared for equality (not with <, <=, >, >=)`);
  }

  checkBetweenComparable(): void {
    throw new DdbecError('ERR_BEACON_QUERY', `standard beacon ${this.name} can only be compared for equality (not with BETWEEN)`);
  }

  beaconKeyIdIn(): string | undefined {
    return undefined;
  }

  needsKey(): boolean {
    return true;
  }
}

/** A part of a compound beacon: a plaintext signed value, or a standard beacon, after a prefix. */
export type PartDef =
  | { readonly kind: 'signed'; readonly name: string; readonly prefix: string; readonly loc: TerminalLocation }
  | { readonly kind: 'encrypted'; readonly name: string; readonly prefix: string; readonly beacon: StandardBeaconDef };

export interface ConstructorDef {
  readonly parts: readonly { readonly part: PartDef; readonly required: boolean }[];
}

/** What a compound beacon is configured as, checked. */
export interface CompoundBeaconSpec {
  readonly name: string;
  readonly split: string;
  /** Signed parts, then encrypted parts. */
  readonly parts: readonly PartDef[];
  readonly constructors: readonly ConstructorDef[];
  readonly maxPartitions: number;
  /** Multi-tenant tables: the beacon key field name. */
  readonly keyFieldName: string | undefined;
}

/** A compound beacon; a signed beacon when it has no encrypted part. */
export class CompoundBeaconDef implements QueryBeacon {
  readonly kind = 'compound';
  readonly asSet = false;
  readonly name: string;
  readonly storedName: string;
  readonly encrypted: boolean;
  readonly spec: CompoundBeaconSpec;

  constructor(spec: CompoundBeaconSpec) {
    this.spec = spec;
    this.name = spec.name;
    this.encrypted = spec.parts.some((p) => p.kind === 'encrypted');
    this.storedName = this.encrypted ? BEACON_PREFIX + spec.name : spec.name;
  }

  #string(part: PartDef, item: Item, code: DdbecErrorCode): string | undefined {
    const what = `part ${part.name} of compound beacon ${this.name}`;
    if (part.kind === 'signed') return stringAt(part.loc, item, code, what);
    const { loc, virtualField } = part.beacon.spec;
    return virtualField === undefined ? stringAt(loc, item, code, what) : virtualField.evaluate(item, code);
  }

  #partValue(part: PartDef, text: string, materials: BeaconKeyMaterials | undefined, partition: number, code: DdbecErrorCode): string {
    if (part.kind === 'signed') return part.prefix + text;
    return part.prefix + part.beacon.hashString(text, materials, partition, code);
  }

  /**
   * The beacon of an item (with `materials`), or its virtual database field (prefixes and
   * plaintext joined) without; `undefined` when no constructor succeeds.
   */
  build(item: Item, materials: BeaconKeyMaterials | undefined, partition: number, code: DdbecErrorCode): string | undefined {
    for (const constructor of this.spec.constructors) {
      const pieces: string[] = [];
      let complete = true;
      for (const { part, required } of constructor.parts) {
        const text = this.#string(part, item, code);
        if (text === undefined) {
          if (required) {
            complete = false;
            break;
          }
          continue;
        }
        if (text.includes(this.spec.split)) {
          throw new DdbecError(code, `the value of part ${part.name} of compound beacon ${this.name} contains the split character ${this.spec.split}`);
        }
        pieces.push(materials === undefined ? part.prefix + text : this.#partValue(part, text, materials, partition, code));
      }
      if (complete) return pieces.join(this.spec.split);
    }
    return undefined;
  }

  #partFor(piece: string): PartDef | undefined {
    return this.spec.parts.find((p) => piece.startsWith(p.prefix));
  }

  /** The parts the pieces of a query value name; throws `ERR_BEACON_QUERY` for a piece that matches no prefix. */
  #parse(value: string): { readonly pieces: string[]; readonly parts: PartDef[] } {
    const pieces = value.split(this.spec.split);
    const parts = pieces.map((piece) => {
      const part = this.#partFor(piece);
      if (part === undefined) throw new DdbecError('ERR_BEACON_QUERY', `a piece of a value for compound beacon ${this.name} does not start with the prefix of any of its parts`);
      return part;
    });
    return { pieces, parts };
  }

  /** Whether some constructor can produce this sequence of parts (skipping parts only before the first match, or optional ones). */
  #canConstruct(parts: readonly PartDef[]): boolean {
    return this.spec.constructors.some((constructor) => {
      let i = 0;
      let matched = false;
      for (const { part, required } of constructor.parts) {
        if (i === parts.length) return true;
        if (part === parts[i]) {
          i++;
          matched = true;
        } else if (required && matched) {
          return false;
        }
      }
      return i === parts.length;
    });
  }

  #checkOrder(parts: readonly PartDef[]): void {
    if (this.#canConstruct(parts)) return;
    const constructors = this.spec.constructors.map((c) => c.parts.map(({ part, required }) => (required ? part.prefix : `[${part.prefix}]`)).join('')).join(', ');
    throw new DdbecError(
      'ERR_BEACON_QUERY',
      `a value for compound beacon ${this.name} reads as parts ${parts.map((p) => p.prefix).join('')}, which none of its constructors (${constructors}) can build`,
    );
  }

  plaintextOf(item: Item, code: DdbecErrorCode): AttributeValue | undefined {
    const text = this.build(item, undefined, 0, code);
    return text === undefined ? undefined : { S: text };
  }

  partitionCount(value?: string): number {
    let parts: readonly PartDef[] = this.spec.parts;
    if (value !== undefined) {
      try {
        parts = this.#parse(value).parts;
        this.#checkOrder(parts);
      } catch {
        return 1;
      }
    }
    const counts = parts.flatMap((p) => (p.kind === 'encrypted' ? [p.beacon.spec.partitions] : []));
    return partitionLcm(counts, this.spec.maxPartitions);
  }

  /** The parts that can stand directly before `part` in a beacon value (over every constructor). */
  #predecessors(part: PartDef): PartDef[] {
    const out: PartDef[] = [];
    for (const { parts } of this.spec.constructors) {
      for (let i = parts.findIndex((p) => p.part === part) - 1; i >= 0; i--) {
        const before = parts[i] as ConstructorDef['parts'][number];
        out.push(before.part);
        if (before.required) break;
      }
    }
    return out;
  }

  /**
   * The pieces of a query value with their parts and whether each is hashed (a bare trailing
   * prefix is not, except for equality). Throws `ERR_BEACON_QUERY` for a value that is no value
   * of this beacon, or that `begins_with`, a range or `contains` could not compare exactly:
   * a hashed piece matches whole plaintext values only, so a piece that the plaintext may match
   * in part would lose items. Pieces hold no split character, so only the ends can match in part:
   * the last piece of a begins_with / range / contains value, the first of a contains value
   * (the end of whatever piece stands before the second one), and a contains value's only piece
   * (anywhere, even inside an encrypted part's plaintext).
   */
  #plan(value: string, comparison: BeaconComparison): { readonly part: PartDef; readonly piece: string; readonly hashed: boolean }[] {
    const { pieces, parts } = this.#parse(value);
    this.#checkOrder(parts);
    const last = pieces.length - 1;
    const plan = pieces.map((piece, i) => {
      const part = parts[i] as PartDef;
      const bare = i === last && comparison !== 'equality' && piece === part.prefix;
      return { part, piece, hashed: part.kind === 'encrypted' && !bare };
    });
    if (comparison === 'equality' || !this.encrypted) return plan;
    const fn = comparison === 'contains' ? 'contains' : 'begins_with or a range';
    if (comparison === 'contains' && plan.length === 1) {
      throw new DdbecError(
        'ERR_BEACON_QUERY',
        `contains on compound beacon ${this.name} needs a value of at least two pieces joined by ${this.spec.split}: a single piece may also occur inside the plaintext of an encrypted part, which its beacon hashes whole, so matching items would be lost; use begins_with, or add the piece that follows`,
      );
    }
    const end = plan[last] as (typeof plan)[number];
    if (end.hashed) {
      throw new DdbecError(
        'ERR_BEACON_QUERY',
        `${fn} on compound beacon ${this.name} cannot end with a value of encrypted part ${end.part.name}: its beacon hashes whole values, so items whose ${end.part.name} only begins with it would be lost; end with the bare prefix ${end.part.prefix}, follow the whole value with the next part's bare prefix, or use = for a complete value`,
      );
    }
    const [first, second] = plan as [(typeof plan)[number], (typeof plan)[number] | undefined];
    if (comparison === 'contains' && second !== undefined && (first.part.kind !== 'signed' || this.#predecessors(second.part).some((p) => p.kind === 'encrypted'))) {
      throw new DdbecError(
        'ERR_BEACON_QUERY',
        `contains on compound beacon ${this.name} must start with a piece of a signed part that only signed parts can stand in for: the first piece may match the end of the piece before ${second.part.name}, and an encrypted part's beacon hashes whole values, so matching items would be lost; use begins_with, or start the value at a signed part`,
      );
    }
    return plan;
  }

  queryValue(value: AttributeValue, materials: BeaconKeyMaterials | undefined, partition: number, comparison: BeaconComparison = 'equality'): AttributeValue {
    if (!('S' in value)) throw new DdbecError('ERR_BEACON_QUERY', `compound beacon ${this.name} can only be queried with a string (S), not ${typeName(value)}`);
    const out = this.#plan(value.S, comparison).map(({ part, piece, hashed }) => (part.kind === 'encrypted' && !hashed ? piece : this.#partValue(part, piece.slice(part.prefix.length), materials, partition, 'ERR_BEACON_QUERY')));
    return { S: out.join(this.spec.split) };
  }

  #lessThanComparable(pieces: readonly string[]): boolean {
    let i = 0;
    while (i < pieces.length && this.#partFor(pieces[i] as string)?.kind === 'signed') i++;
    const rest = pieces.slice(i);
    if (rest.length === 0) return true;
    if (rest.length !== 1) return false;
    const piece = rest[0] as string;
    const part = this.#partFor(piece);
    if (part === undefined) throw new DdbecError('ERR_BEACON_QUERY', `a piece of a value for compound beacon ${this.name} does not start with the prefix of any of its parts`);
    return piece === part.prefix;
  }

  /**
   * The encrypted part whose bare prefix ends `pieces`, if any. Its stored counterpart is the
   * prefix followed by a hash, even for an empty plaintext, so a plaintext equal to the value
   * sorts above it once stored.
   */
  #bareEncryptedEnd(pieces: readonly string[]): PartDef | undefined {
    const piece = pieces[pieces.length - 1] as string;
    const part = this.#partFor(piece);
    return part?.kind === 'encrypted' && piece === part.prefix ? part : undefined;
  }

  #refuseBareEnd(what: string, part: PartDef): never {
    throw new DdbecError(
      'ERR_BEACON_QUERY',
      `${what} on compound beacon ${this.name} cannot end with the bare prefix ${part.prefix} of encrypted part ${part.name}: an item whose ${part.name} is empty equals the value in plaintext but sorts above it once hashed, so it would be lost (or kept wrongly); use < or >= with this value, and = for the item with an empty ${part.name}`,
    );
  }

  checkLessThanComparable(value: string, op: '<' | '<=' | '>' | '>='): void {
    const pieces = value.split(this.spec.split);
    if (!this.#lessThanComparable(pieces)) {
      throw new DdbecError(
        'ERR_BEACON_QUERY',
        `<, <=, > and >= on compound beacon ${this.name} need a LessThanComparable value: signed parts only, optionally followed by the bare prefix of an encrypted part`,
      );
    }
    const bare = this.#bareEncryptedEnd(pieces);
    if (bare !== undefined && (op === '<=' || op === '>')) this.#refuseBareEnd(op, bare);
  }

  checkBetweenComparable(low: string, high: string): void {
    const a = low.split(this.spec.split);
    const b = high.split(this.spec.split);
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    if (!(this.#lessThanComparable(a.slice(common)) && this.#lessThanComparable(b.slice(common)))) {
      throw new DdbecError(
        'ERR_BEACON_QUERY',
        `BETWEEN on compound beacon ${this.name} needs values whose parts after their common leading parts are LessThanComparable (signed parts, optionally followed by the bare prefix of an encrypted part)`,
      );
    }
    // A bound made of common pieces only, ending with an encrypted one: the plaintext may extend that piece and still fall between the bounds.
    const ended = [a, b].find((pieces) => pieces.length === common && this.#partFor(pieces[common - 1] as string)?.kind === 'encrypted');
    if (ended !== undefined) {
      const part = this.#partFor(ended[common - 1] as string) as PartDef;
      throw new DdbecError(
        'ERR_BEACON_QUERY',
        `BETWEEN on compound beacon ${this.name} cannot have a bound that ends with the piece of encrypted part ${part.name} both bounds share: items whose ${part.name} extends it may fall between the bounds in plaintext but not once hashed; give the next part in both bounds`,
      );
    }
    const bare = this.#bareEncryptedEnd(b);
    if (bare !== undefined) this.#refuseBareEnd('the upper bound of BETWEEN', bare);
  }

  beaconKeyIdIn(value: string): string | undefined {
    const { keyFieldName } = this.spec;
    if (keyFieldName === undefined) return undefined;
    const keyParts = this.spec.parts.filter((p) => p.kind === 'signed' && p.loc.attribute === keyFieldName);
    if (keyParts.length !== 1) return undefined;
    const prefix = (keyParts[0] as PartDef).prefix;
    const pieces = value.split(this.spec.split).filter((piece) => piece.startsWith(prefix));
    return pieces.length === 1 ? (pieces[0] as string).slice(prefix.length) : undefined;
  }

  needsKey(value: string, comparison: BeaconComparison = 'equality'): boolean {
    return this.#plan(value, comparison).some((p) => p.hashed);
  }
}
