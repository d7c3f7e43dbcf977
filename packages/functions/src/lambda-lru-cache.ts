/**
 * Stands in for mnemonist's LRU cache (7 KB with obliterator) in the Lambda bundle
 * (stacks/lambda-bundle.ts). Every DynamoDB client creates an @aws-sdk/endpoint-cache EndpointCache
 * (endpoint discovery itself is off), which keeps a `new LRUCache(capacity)` and calls get, set,
 * has, peek and clear: at most `capacity` entries, the least recently read or written evicted first.
 */
export default class LRUCache<K, V> {
  readonly #capacity: number;
  // A Map iterates in insertion order: re-inserting on each use keeps the least recently used first.
  readonly #entries = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(
        `LRUCache in the Lambda bundle takes a whole capacity ≥ 1, not ${capacity} (packages/functions/src/lambda-lru-cache.ts)`,
      );
    }
    this.#capacity = capacity;
  }

  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key)!;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** The value, without making it the most recently used. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, value);
  }

  clear(): void {
    this.#entries.clear();
  }
}
