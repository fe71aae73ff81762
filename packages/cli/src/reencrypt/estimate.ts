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
/** A table whose first counting page holds at most this many items is counted exactly, in one request. */
const SMALL = 1_000;

/**
 * Estimates how many items a table holds, without trusting DescribeTable's `ItemCount` (0 on
 * the local stack, and on AWS updated only about every six hours). A parallel scan splits the
 * key space evenly, so counting (`Select: COUNT`) a few random segments of many and scaling
 * up estimates the whole: 8 segments of 524,288 first, then of 32,768, 2,048 and 128, until
 * 100 items are counted; a table still smaller is counted whole. A sample in which one segment
 * holds most of the items is not trusted (the key space is not split evenly there — dynalite,
 * the local DynamoDB, splits only 4,096 ways) and the next level is tried. A table of up to
 * 1,000 items is counted exactly first, in one request. A billion-item table costs about 17
 * small requests, 20,000 items about 33.
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
  requests += 1;
  const first = await client.send(new ScanCommand({ TableName: table, Select: 'COUNT', Limit: SMALL }));
  if (first.LastEvaluatedKey === undefined) return { items: first.Count ?? 0, method: 'counted', requests };
  for (const totalSegments of LEVELS) {
    const segments = new Set<number>();
    while (segments.size < SAMPLES) segments.add(Math.floor(random() * totalSegments));
    const perSegment = await Promise.all([...segments].map((segment) => count(segment, totalSegments)));
    const counted = perSegment.reduce((sum, items) => sum + items, 0);
    if (counted >= ENOUGH && Math.max(...perSegment) <= counted / 2) {
      return { items: Math.round((counted * totalSegments) / SAMPLES), method: `${counted} items counted in ${SAMPLES} of ${totalSegments} scan segments`, requests };
    }
  }
  return { items: await count(0, 1), method: 'counted', requests };
}
