/**
 * Runs `each` on every item, at most `limit` at a time, started in the items' order (batch writes,
 * the real-time fan-out). The first failure rejects; items not yet started are then left alone.
 */
export async function inParallel<T>(items: readonly T[], limit: number, each: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await each(items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
