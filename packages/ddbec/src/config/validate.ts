/**
 * A small validator for the subset of JSON Schema (2020-12) that the configuration schema uses:
 * `type`, `properties`, `required`, `additionalProperties`, `minProperties`, `items`, `enum`,
 * `const`, `minLength`, `minimum`, `oneOf` and local `$ref`s. Errors name the offending JSON
 * path (`tables.customers.provider.keyId: must be a string`).
 *
 * `oneOf` is resolved the way a reader would: by the JSON type of the value, then by a `const`
 * property (`"type": "direct-kms"`), then by which branch's required properties are present,
 * then (among those, or among all when none has them) by which closed branch has every
 * property the value has — so a mistake is reported
 * inside the branch that was meant, not as "matches no branch".
 */

export interface ConfigIssue {
  /** Where: `tables.customers.provider.keyId` (empty for the document itself). */
  readonly path: string;
  readonly message: string;
}

/** The schema keywords the validator understands (anything else, e.g. `description`, is ignored). */
export interface SchemaNode {
  readonly type?: JsonType;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly minProperties?: number;
  readonly items?: SchemaNode;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minLength?: number;
  readonly minimum?: number;
  readonly oneOf?: readonly SchemaNode[];
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, SchemaNode>>;
  readonly [keyword: string]: unknown;
}

type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

const ARTICLE: Readonly<Record<JsonType, string>> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

/** Every issue of `value` against `schema` (an empty array when it is valid). */
export function validateAgainstSchema(value: unknown, schema: SchemaNode): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  check(value, schema, schema, '', issues);
  return issues;
}

/** `tables.customers`, `tables["my.table"]`, `grantTokens[0]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function check(value: unknown, node: SchemaNode, root: SchemaNode, path: string, issues: ConfigIssue[]): void {
  const schema = resolve(node, root);
  const issue = (message: string, at = path): void => {
    issues.push({ path: at, message });
  };

  if (schema.oneOf !== undefined) {
    const branch = chooseBranch(value, schema.oneOf, root);
    if (typeof branch === 'string') issue(branch, branchPath(value, schema.oneOf, root, path));
    else check(value, branch, root, path, issues);
    return;
  }
  if (schema.type !== undefined && !hasType(value, schema.type)) {
    issue(`must be ${ARTICLE[schema.type]}`);
    return;
  }
  if (schema.const !== undefined && value !== schema.const) {
    issue(`must be ${JSON.stringify(schema.const)}`);
    return;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    issue(`must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
    return;
  }
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) {
    issue(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    issue(`must be ≥ ${schema.minimum}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((element, index) => {
      check(element, schema.items as SchemaNode, root, joinPath(path, index), issues);
    });
  }
  if (isObject(value)) checkObject(value, schema, root, path, issues);
}

function checkObject(value: Record<string, unknown>, schema: SchemaNode, root: SchemaNode, path: string, issues: ConfigIssue[]): void {
  const keys = Object.keys(value);
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(value, name)) issues.push({ path: joinPath(path, name), message: 'is required' });
  }
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
    issues.push({ path, message: schema.minProperties === 1 ? 'must not be empty' : `must have at least ${schema.minProperties} entries` });
  }
  const properties = schema.properties ?? {};
  for (const name of keys) {
    const where = joinPath(path, name);
    const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (property !== undefined) {
      check(value[name], property, root, where, issues);
    } else if (schema.additionalProperties === false) {
      const allowed = Object.keys(properties);
      issues.push({ path: where, message: `is not allowed here${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}` });
    } else if (typeof schema.additionalProperties === 'object') {
      check(value[name], schema.additionalProperties, root, where, issues);
    }
  }
}

/** The branch meant by `value`, or the message saying why none is. */
function chooseBranch(value: unknown, branches: readonly SchemaNode[], root: SchemaNode): SchemaNode | string {
  const resolved = branches.map((branch) => resolve(branch, root));
  const byType = resolved.filter((branch) => branch.type === undefined || hasType(value, branch.type));
  if (byType.length === 0) {
    const types = [...new Set(resolved.map((branch) => branch.type).filter((t): t is JsonType => t !== undefined))];
    return `must be ${types.map((t) => ARTICLE[t]).join(' or ')}`;
  }
  if (byType.length === 1 || !isObject(value)) return byType[0] as SchemaNode;

  const discriminator = discriminatorOf(byType);
  if (discriminator !== undefined) {
    const allowed = byType.map((branch) => branch.properties?.[discriminator]?.const);
    const match = byType.find((branch) => branch.properties?.[discriminator]?.const === value[discriminator]);
    if (match !== undefined) return match;
    return Object.hasOwn(value, discriminator)
      ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
      : 'is required';
  }
  const present = byType.filter((branch) => (branch.required ?? []).every((name) => Object.hasOwn(value, name)));
  if (present.length === 1) return present[0] as SchemaNode;
  // Then by which branch (closed with additionalProperties: false) has every property the value has
  const fitting = (present.length > 0 ? present : byType).filter((branch) => branch.additionalProperties !== false || Object.keys(value).every((name) => Object.hasOwn(branch.properties ?? {}, name)));
  if (fitting.length === 1) return fitting[0] as SchemaNode;
  const names = byType.map((branch) => (branch.required ?? []).map((name) => `"${name}"`).join(' and '));
  return present.length === 0 ? `must have one of ${names.join(', ')}` : `must have only one of ${names.join(', ')}`;
}

/** Where a oneOf failure is reported: at the discriminator property when that is what is wrong. */
function branchPath(value: unknown, branches: readonly SchemaNode[], root: SchemaNode, path: string): string {
  if (!isObject(value)) return path;
  const resolved = branches.map((branch) => resolve(branch, root)).filter((branch) => branch.type === undefined || hasType(value, branch.type));
  const discriminator = resolved.length > 1 ? discriminatorOf(resolved) : undefined;
  return discriminator === undefined ? path : joinPath(path, discriminator);
}

/** A property that every branch fixes with `const` (e.g. `type`). */
function discriminatorOf(branches: readonly SchemaNode[]): string | undefined {
  const first = branches[0]?.properties ?? {};
  return Object.keys(first).find((name) => branches.every((branch) => branch.properties?.[name]?.const !== undefined));
}

function resolve(node: SchemaNode, root: SchemaNode): SchemaNode {
  let current = node;
  for (let depth = 0; current.$ref !== undefined; depth += 1) {
    const match = /^#\/\$defs\/(.+)$/.exec(current.$ref);
    const target = match?.[1] === undefined ? undefined : root.$defs?.[match[1]];
    if (target === undefined || depth > 16) throw new Error(`unresolvable schema reference ${current.$ref}`);
    current = target;
  }
  return current;
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
