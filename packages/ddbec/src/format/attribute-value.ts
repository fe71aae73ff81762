/**
 * DynamoDB attribute values in the shape the AWS SDK for JavaScript v3 uses
 * (`@aws-sdk/client-dynamodb` `AttributeValue`), declared here so the format layer has no SDK
 * dependency. SDK values are assignable to this type and back.
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: Uint8Array[] }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { NULL: boolean }
  | { BOOL: boolean }
  | { $unknown: [string, unknown] };

/** An item: attribute name → value. */
export type Item = Record<string, AttributeValue>;

/**
 * Where the Java and Python reference clients serialize the same value differently
 * (legacy-format §2.9), which one to follow.
 *
 * - `java`: numbers exact (all significant digits), negative zero written `0`, binary-set
 *   members ordered as signed bytes, strings and names ordered by UTF-16 code unit.
 * - `python`: numbers rounded to 28 significant digits (half-even), negative zero written
 *   `-0`, binary-set members ordered as unsigned bytes, strings and names ordered by code point.
 */
export type SerializationProfile = 'java' | 'python';
