/**
 * AWS KMS key identifiers as the Material Providers Library reads them (mpl-spec
 * framework/aws-kms/aws-kms-key-arn.md, aws-kms-mrk-match-for-decrypt.md).
 */

/** A parsed `arn:<partition>:kms:<region>:<account>:<key|alias>/<id>`. */
export interface KmsArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: 'key' | 'alias';
  /** Everything after the first `/` (may itself contain `/`). */
  readonly resourceId: string;
}

/** The parts of a valid AWS KMS ARN, or `undefined` when `text` is not one. */
export function parseKmsArn(text: string): KmsArn | undefined {
  const parts = text.split(':');
  if (parts.length !== 6) return undefined;
  const [arn, partition, service, region, accountId, resource] = parts as [string, string, string, string, string, string];
  if (arn !== 'arn' || partition === '' || service !== 'kms' || region === '' || accountId === '') return undefined;
  const slash = resource.indexOf('/');
  if (slash < 0) return undefined;
  const resourceType = resource.slice(0, slash);
  const resourceId = resource.slice(slash + 1);
  if ((resourceType !== 'key' && resourceType !== 'alias') || resourceId === '') return undefined;
  return { partition, region, accountId, resourceType, resourceId };
}

/** A key id, key ARN, alias name (`alias/…`) or alias ARN. */
export function isKmsIdentifier(text: string): boolean {
  if (text.startsWith('arn:')) return parseKmsArn(text) !== undefined;
  return text.length > 0 && !text.includes(':') && (!text.startsWith('alias/') || text.length > 'alias/'.length);
}

/** Whether an identifier names a multi-Region key: `mrk-…` key ids and key ARNs (never aliases). */
export function isMultiRegionKey(identifier: string): boolean {
  if (identifier.startsWith('arn:')) {
    const arn = parseKmsArn(identifier);
    return arn !== undefined && arn.resourceType === 'key' && arn.resourceId.startsWith('mrk-');
  }
  return identifier.startsWith('mrk-');
}

/**
 * AWS KMS MRK Match for Decrypt: identical identifiers match; two multi-Region key ARNs match
 * when everything but the region is equal; nothing else matches.
 */
export function mrkMatch(a: string, b: string): boolean {
  if (a === b) return true;
  if (!isMultiRegionKey(a) || !isMultiRegionKey(b)) return false;
  const x = parseKmsArn(a);
  const y = parseKmsArn(b);
  if (x === undefined || y === undefined) return false;
  return x.partition === y.partition && x.accountId === y.accountId && x.resourceType === y.resourceType && x.resourceId === y.resourceId;
}

/** The same ARN in another region. */
export function withRegion(arn: KmsArn, region: string): string {
  return `arn:${arn.partition}:kms:${region}:${arn.accountId}:${arn.resourceType}/${arn.resourceId}`;
}
