/**
 * Runs `each` on every item, at most `limit` at a time, started in the items' order. The first
 * failure rejects at once and no further item starts; those already running finish unobserved.
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
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
