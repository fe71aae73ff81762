import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** An estimated item count and how it was made. */
export interface Estimate {
  readonly items: number;
  readonly method: string;
  /** Scan requests spent on it. */
  readonly requests: number;
}

/** Segment counts tried, from fine to coarse (DynamoDB allows at most 1,000,000). */
const LEVELS = [524_288, 32_768, 2_048, 128] as const;
const SAMPLES = 8;
/** Items counted before an estimate is trusted (±10% or so). */
const ENOUGH = 100;

/**
 * Estimates how many items a table holds, without trusting DescribeTable's `ItemCount` (0 on
 * the local stack, and on AWS updated only about every six hours). A parallel scan splits the
 * key space evenly, so counting (`Select: COUNT`) a few random segments of many and scaling
 * up estimates the whole: 8 segments of 524,288 first, then of 32,768, 2,048 and 128, until
 * 100 items are counted; a table still smaller is counted whole. A billion-item table costs
 * about 16 small requests, 20,000 items about 32.
 */
export async function estimateItemCount(client: DynamoDBClient, table: string, random: () => number = Math.random): Promise<Estimate> {
  let requests = 0;
  const count = async (segment: number, totalSegments: number): Promise<number> => {
    let items = 0;
    let start: Record<string, unknown> | undefined;
    do {
      requests += 1;
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          Select: 'COUNT',
          ...(totalSegments > 1 ? { Segment: segment, TotalSegments: totalSegments } : {}),
          ExclusiveStartKey: start as ConstructorParameters<typeof ScanCommand>[0]['ExclusiveStartKey'],
        }),
      );
      items += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  };
  for (const totalSegments of LEVELS) {
    const segments = new Set<number>();
    while (segments.size < SAMPLES) segments.add(Math.floor(random() * totalSegments));
    const counted = (await Promise.all([...segments].map((segment) => count(segment, totalSegments)))).reduce((sum, items) => sum + items, 0);
    if (counted >= ENOUGH) {
      return { items: Math.round((counted * totalSegments) / SAMPLES), method: `${counted} items counted in ${SAMPLES} of ${totalSegments} scan segments`, requests };
    }
  }
  return { items: await count(0, 1), method: 'counted', requests };
}
