import { KmsError, serialization, validation } from './errors.js';

/** Typed, validated access to the members of a JSON request body (AWS-style error messages). */
export class Input {
  constructor(private readonly body: Readonly<Record<string, unknown>>) {}

  /** `KeyId` → `keyId`, as AWS names members in validation messages. */
  private static member(name: string): string {
    return name.charAt(0).toLowerCase() + name.slice(1);
  }

  private static fail(name: string, value: string | undefined, constraint: string): KmsError {
    const shown = value === undefined ? 'at' : `'${value}' at`;
    return validation(`1 validation error detected: Value ${shown} '${Input.member(name)}' failed to satisfy constraint: ${constraint}`);
  }

  private get(name: string): unknown {
    const value = this.body[name];
    return value === null ? undefined : value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  private missing(name: string): KmsError {
    return validation(`1 validation error detected: Value null at '${Input.member(name)}' failed to satisfy constraint: Member must not be null`);
  }

  optString(name: string, limits: { min?: number; max?: number } = {}): string | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw serialization(`${name} must be a string`);
    const { min = 1, max = Number.MAX_SAFE_INTEGER } = limits;
    if (value.length < min) throw Input.fail(name, value, `Member must have length greater than or equal to ${min}`);
    if (value.length > max) throw Input.fail(name, value, `Member must have length less than or equal to ${max}`);
    return value;
  }

  string(name: string, limits: { min?: number; max?: number } = {}): string {
    const value = this.optString(name, limits);
    if (value === undefined) throw this.missing(name);
    return value;
  }

  optEnum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.optString(name, { min: 0 });
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw Input.fail(name, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
    }
    return value as T;
  }

  optInteger(name: string, limits: { min: number; max: number }): number | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw serialization(`${name} must be an integer`);
    if (value < limits.min) throw Input.fail(name, String(value), `Member must have value greater than or equal to ${limits.min}`);
    if (value > limits.max) throw Input.fail(name, String(value), `Member must have value less than or equal to ${limits.max}`);
    return value;
  }

  optBoolean(name: string): boolean | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw serialization(`${name} must be a boolean`);
    return value;
  }

  optBlob(name: string, limits: { min: number; max: number }): Buffer | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
      throw serialization(`${name} must be a base64 string`);
    }
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length < limits.min) throw Input.fail(name, undefined, `Member must have length greater than or equal to ${limits.min}`);
    if (bytes.length > limits.max) throw Input.fail(name, undefined, `Member must have length less than or equal to ${limits.max}`);
    return bytes;
  }

  blob(name: string, limits: { min: number; max: number }): Buffer {
    const value = this.optBlob(name, limits);
    if (value === undefined) throw this.missing(name);
    return value;
  }

  /** An encryption context (string → string map); {} when absent. */
  context(name: string): Record<string, string> {
    const value = this.get(name);
    if (value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw serialization(`${name} must be a map of strings`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== 'string') throw serialization(`${name} must be a map of strings`);
      out[k] = v;
    }
    return out;
  }

  optList(name: string): unknown[] | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw serialization(`${name} must be a list`);
    return value as unknown[];
  }

  optStringList(name: string, limits: { max?: number; itemMin?: number; itemMax?: number } = {}): string[] | undefined {
    const list = this.optList(name);
    if (list === undefined) return undefined;
    if (limits.max !== undefined && list.length > limits.max) {
      throw Input.fail(name, undefined, `Member must have length less than or equal to ${limits.max}`);
    }
    return list.map((item, i) => {
      if (typeof item !== 'string') throw serialization(`${name} must be a list of strings`);
      const { itemMin = 1, itemMax = Number.MAX_SAFE_INTEGER } = limits;
      if (item.length < itemMin || item.length > itemMax) {
        throw Input.fail(`${name}.${i + 1}.member`, item, `Member must have length between ${itemMin} and ${itemMax}`);
      }
      return item;
    });
  }
}
