/**
 * How every comparison of the benchmark is run: the sides take turns within a round, the order
 * rotates from round to round (so no side always goes first, after the same neighbour), and the
 * first `warmup` rounds are run but not kept (they warm caches, JIT and the OS file cache).
 * Machine noise then hits every side alike, and sample `i` of each side comes from the same round,
 * so per-round ratios (`ratios`) are paired.
 */
export interface Rounds {
  /** Rounds kept as samples. */
  rounds: number;
  /** Rounds run first and dropped. */
  warmup: number;
}

/** Which side goes at position `k` of round `round` (warm-up rounds count too). */
export function sideAt<Name>(names: readonly Name[], round: number, k: number): Name {
  return names[(round + k) % names.length]!;
}

/**
 * Runs `measure` once per side per round, `warmup + rounds` rounds; returns each side's kept
 * results, in round order. `measure` learns whether its round is a warm-up one.
 */
export async function paired<Name extends string, T>(
  names: readonly Name[],
  { rounds, warmup }: Rounds,
  measure: (name: Name, round: { index: number; warmup: boolean }) => Promise<T>,
): Promise<Record<Name, T[]>> {
  const kept = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<Name, T[]>;
  for (let round = 0; round < warmup + rounds; round++) {
    const isWarmup = round < warmup;
    for (let k = 0; k < names.length; k++) {
      const name = sideAt(names, round, k);
      const result = await measure(name, { index: round - warmup, warmup: isWarmup });
      if (!isWarmup) kept[name].push(result);
    }
  }
  return kept;
}

/** Per-round ratios `a[i] / b[i]` of two paired series. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`unpaired series: ${a.length} and ${b.length} samples`);
  return a.map((value, i) => value / b[i]!);
}
