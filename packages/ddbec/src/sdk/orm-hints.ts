/**
 * The attributes the ORMs ddbec has presets for write on their own, and how to recognise a
 * request one of them sent — so that a refusal can say which preset applies. `ddbec/orm`
 * builds its presets from the same names.
 */

/** The ORMs with a preset in `ddbec/orm`. */
export type OrmName = 'electrodb' | 'dynamodb-toolbox' | 'dynamoose';

/** ElectroDB's entity and version markers, written into every item and every update. */
export const ELECTRODB_MARKERS = ['__edb_e__', '__edb_v__'] as const;
/** dynamodb-toolbox v2's default entity, creation-date and modification-date attributes. */
export const TOOLBOX_ATTRIBUTES = { entity: '_et', created: '_ct', modified: '_md' } as const;
/** dynamoose's default timestamp attributes (`timestamps: true`). */
export const DYNAMOOSE_TIMESTAMPS = { createdAt: 'createdAt', updatedAt: 'updatedAt' } as const;

/** How an ORM's name is written in messages. */
export const ORM_LABEL: Readonly<Record<OrmName, string>> = { electrodb: 'ElectroDB', 'dynamodb-toolbox': 'dynamodb-toolbox', dynamoose: 'dynamoose' };

/**
 * The ORM a request looks like it comes from, by the attributes it names and the shape of its
 * placeholders, or `undefined`.
 */
export function ormOfRequest(request: Readonly<Record<string, unknown>>): OrmName | undefined {
  const names = request['ExpressionAttributeNames'];
  const placeholders = typeof names === 'object' && names !== null ? Object.keys(names) : [];
  const attributes = new Set(placeholders.map((key) => (names as Record<string, unknown>)[key]));
  if (ELECTRODB_MARKERS.some((marker) => attributes.has(marker))) return 'electrodb';
  if (attributes.has(TOOLBOX_ATTRIBUTES.entity) || attributes.has(TOOLBOX_ATTRIBUTES.modified)) return 'dynamodb-toolbox';
  const values = request['ExpressionAttributeValues'];
  const valueNames = typeof values === 'object' && values !== null ? Object.keys(values) : [];
  if (placeholders.length > 0 && placeholders.every((key) => /^#a\d+$/.test(key)) && valueNames.every((key) => /^:v\d+$/.test(key))) return 'dynamoose';
  return undefined;
}

/** The sentence a refusal adds for a request that looks like it comes from an ORM ('' for none). */
export function ormHint(request: Readonly<Record<string, unknown>>): string {
  const orm = ormOfRequest(request);
  if (orm === undefined) return '';
  return ` This request looks like ${ORM_LABEL[orm]}'s: use ddbec's ${ORM_LABEL[orm]} preset — ormAttributeActions('${orm}', …) from ddbec/orm, or "orm": "${orm}" in the table's entry of ddbec.config.json — and see "Using an ORM" (docs/orms.md).`;
}
