/**
 * Terminal locations, virtual fields and their transforms (dbesdk-spec searchable-encryption/virtual.md).
 *
 * Characters are UTF-16 code units, as in the DB-ESDK (its Dafny strings are compiled with
 * `--unicode-char:false`): `prefix`, `suffix` and `substring` count code units, and split
 * characters are one code unit. Positions follow the DB-ESDK's `GetPos`, which clamps a position
 * past the end to the *last* element (so `substring(0, 999)` drops the last character): beacons
 * must equal the ones the DB-ESDK writes, where virtual.md says "just after the last item".
 */
import type { AttributeValue, Item } from '../format/attribute-value.js';
import { DdbecError, type DdbecErrorCode } from '../errors.js';
import type { VirtualField, VirtualPart, VirtualTransform } from './config.js';

/** One step below the attribute: a map key or a list index. */
export type Selector = { readonly key: string } | { readonly index: number };

/** A parsed terminal location (`a.b[3].c`): the top-level attribute and the steps below it. */
export interface TerminalLocation {
  /** Canonical text. */
  readonly text: string;
  readonly attribute: string;
  readonly path: readonly Selector[];
}

function configError(message: string): DdbecError {
  return new DdbecError('ERR_BEACON_CONFIG', message);
}

/** Parses a terminal location; `what` names its owner in errors. Throws `ERR_BEACON_CONFIG`. */
export function parseLocation(text: string, what: string): TerminalLocation {
  if (typeof text !== 'string' || text.length === 0) throw configError(`${what}: a terminal location must be a non-empty string`);
  const first = text.search(/[.[]/);
  if (first === 0) throw configError(`${what}: terminal location ${text} must start with an attribute name`);
  const attribute = first < 0 ? text : text.slice(0, first);
  const path: Selector[] = [];
  let rest = first < 0 ? '' : text.slice(first);
  while (rest.length > 0) {
    const next = rest.slice(1).search(/[.[]/);
    const end = next < 0 ? rest.length : next + 1;
    const segment = rest.slice(0, end);
    rest = rest.slice(end);
    if (segment.startsWith('.')) {
      path.push({ key: segment.slice(1) });
    } else {
      const digits = /^\[(\d+)\]$/.exec(segment)?.[1];
      const index = digits === undefined ? Number.NaN : Number(digits);
      if (!Number.isSafeInteger(index)) throw configError(`${what}: terminal location ${text} has an invalid list index ${segment}`);
      path.push({ index });
    }
  }
  // The canonical spelling (`a[01]` is `a[1]`), so that equal locations compare equal.
  const canonical = attribute + path.map((s) => ('key' in s ? `.${s.key}` : `[${String(s.index)}]`)).join('');
  return Object.freeze({ text: canonical, attribute, path: Object.freeze(path) });
}

/** The value at `loc` in `item`; `undefined` when it is absent or a step does not fit the value. */
export function valueAt(loc: TerminalLocation, item: Item): AttributeValue | undefined {
  if (!Object.hasOwn(item, loc.attribute)) return undefined;
  let value: AttributeValue | undefined = item[loc.attribute];
  for (const step of loc.path) {
    if (value === undefined) return undefined;
    if ('key' in step) {
      if (!('M' in value) || !Object.hasOwn(value.M, step.key)) return undefined;
      value = value.M[step.key];
    } else {
      if (!('L' in value)) return undefined;
      value = value.L[step.index];
    }
  }
  return value;
}

/**
 * The string a compound beacon part or a virtual part reads from a value, as the DB-ESDK's:
 * S as is, N as written (not normalized), BOOL `true`/`false`, NULL `null`; other types have none
 * (the DB-ESDK refuses them), and the caller throws with its error code.
 */
export function stringOf(value: AttributeValue): string | undefined {
  if ('S' in value) return value.S;
  if ('N' in value) return value.N;
  if ('BOOL' in value) return value.BOOL ? 'true' : 'false';
  if ('NULL' in value) return 'null';
  return undefined;
}

/** The string at `loc`, `undefined` when absent; throws `code` when the value is not a string-like type. */
export function stringAt(loc: TerminalLocation, item: Item, code: DdbecErrorCode, what: string): string | undefined {
  const value = valueAt(loc, item);
  if (value === undefined) return undefined;
  const text = stringOf(value);
  if (text === undefined) throw new DdbecError(code, `${what}: the value at ${loc.text} is of type ${typeName(value)}, which has no string form`);
  return text;
}

/** The type name of a value (`S`, `N`, `L`, …). */
export function typeName(value: AttributeValue): string {
  return Object.keys(value)[0] ?? 'unknown';
}

// ---- transforms ---------------------------------------------------------------------------------

/** A position (virtual.md "Position Definition") in a list of `limit` elements, clamped as the DB-ESDK does. */
function position(pos: number, limit: number): number {
  if (limit === 0) return 0;
  if (pos >= 0) return Math.min(pos, limit - 1);
  return limit + pos < 0 ? 0 : limit + pos;
}

function prefixOf(s: string, length: number): string {
  return length >= 0 ? s.slice(0, Math.min(length, s.length)) : s.slice(0, s.length - Math.min(-length, s.length));
}

function suffixOf(s: string, length: number): string {
  return length >= 0 ? s.slice(s.length - Math.min(length, s.length)) : s.slice(Math.min(-length, s.length));
}

function substringOf(s: string, low: number, high: number): string {
  const lo = position(low, s.length);
  const hi = position(high, s.length);
  return lo < hi ? s.slice(lo, hi) : '';
}

function segmentOf(s: string, split: string, index: number): string {
  const parts = s.split(split);
  if (index >= parts.length || -index > parts.length) return '';
  return parts[position(index, parts.length)] ?? '';
}

function segmentsOf(s: string, split: string, low: number, high: number): string {
  const parts = s.split(split);
  const lo = position(low, parts.length);
  const hi = position(high, parts.length);
  return lo < hi ? parts.slice(lo, hi).join(split) : '';
}

/** ASCII letters only, as the DB-ESDK (`ñ` stays `ñ`). */
function upperAscii(s: string): string {
  return s.replace(/[a-z]+/g, (run) => run.toUpperCase());
}

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

/** Applies one transform. */
export function applyTransform(t: VirtualTransform, s: string): string {
  if ('upper' in t) return upperAscii(s);
  if ('lower' in t) return lowerAscii(s);
  if ('insert' in t) return s + t.insert.literal;
  if ('prefix' in t) return prefixOf(s, t.prefix.length);
  if ('suffix' in t) return suffixOf(s, t.suffix.length);
  if ('substring' in t) return substringOf(s, t.substring.low, t.substring.high);
  if ('segment' in t) return segmentOf(s, t.segment.split, t.segment.index);
  return segmentsOf(s, t.segments.split, t.segments.low, t.segments.high);
}

const TRANSFORMS = ['upper', 'lower', 'insert', 'prefix', 'suffix', 'substring', 'segment', 'segments'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkTransform(t: unknown, what: string): VirtualTransform {
  const keys = isObject(t) ? Object.keys(t) : [];
  const kind = keys[0];
  if (keys.length !== 1 || !(TRANSFORMS as readonly string[]).includes(kind as string)) {
    throw configError(`${what}: a transform must have exactly one of ${TRANSFORMS.join(', ')}`);
  }
  const body = (t as Record<string, unknown>)[kind as string];
  if (!isObject(body)) throw configError(`${what}: transform ${kind as string} must be an object`);
  const integer = (field: string): void => {
    if (!Number.isSafeInteger(body[field])) throw configError(`${what}: transform ${kind as string} needs an integer ${field}`);
  };
  const character = (): void => {
    if (typeof body.split !== 'string' || body.split.length !== 1) throw configError(`${what}: transform ${kind as string} needs a split of exactly one character`);
  };
  switch (kind) {
    case 'insert':
      if (typeof body.literal !== 'string') throw configError(`${what}: transform insert needs a string literal`);
      break;
    case 'prefix':
    case 'suffix':
      integer('length');
      break;
    case 'substring':
      integer('low');
      integer('high');
      break;
    case 'segment':
      character();
      integer('index');
      break;
    case 'segments':
      character();
      integer('low');
      integer('high');
      break;
    default:
      if (Object.keys(body).length !== 0) throw configError(`${what}: transform ${kind as string} takes no parameters`);
  }
  return t as VirtualTransform;
}

// ---- virtual fields -------------------------------------------------------------------------------

interface VirtualPartDef {
  readonly loc: TerminalLocation;
  readonly trans: readonly VirtualTransform[];
}

/** A checked virtual field: a string built from parts of an item, never stored. */
export class VirtualFieldDef {
  readonly name: string;
  readonly parts: readonly VirtualPartDef[];

  constructor(config: VirtualField) {
    if (typeof config.name !== 'string' || config.name.length === 0) throw configError('a virtual field needs a non-empty name');
    const what = `virtual field ${config.name}`;
    if (!Array.isArray(config.parts) || config.parts.length === 0) throw configError(`${what}: needs at least one part`);
    this.name = config.name;
    const parts: readonly VirtualPart[] = config.parts;
    this.parts = Object.freeze(
      parts.map((part) => {
        if (typeof part !== 'object' || part === null) throw configError(`${what}: a part must be an object`);
        if (part.trans !== undefined && !Array.isArray(part.trans)) throw configError(`${what}: trans must be a list of transforms`);
        return Object.freeze({ loc: parseLocation(part.loc, what), trans: Object.freeze((part.trans ?? []).map((t) => checkTransform(t, what))) });
      }),
    );
  }

  /** The distinct locations (as text) this field reads. */
  locationSet(): ReadonlySet<string> {
    return new Set(this.parts.map((p) => p.loc.text));
  }

  /** The field's value in `item`, `undefined` when some part's location is absent. */
  evaluate(item: Item, code: DdbecErrorCode): string | undefined {
    let out = '';
    for (const part of this.parts) {
      const text = stringAt(part.loc, item, code, `virtual field ${this.name}`);
      if (text === undefined) return undefined;
      out += part.trans.reduce((s, t) => applyTransform(t, s), text);
    }
    return out;
  }
}
