// How --shard deals units to shards (src/run/deal.ts): costliest first to the least-loaded
// shard, checked against deals worked out by hand; round-robin without costs.
import { describe, expect, test } from 'vitest';
import { dealUnits } from '../../src/run/deal.js';

describe('dealUnits', () => {
  test('without costs: unit i to shard i mod n', () => {
    expect(dealUnits(7, 3)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  test('with costs: costliest first, each to the least-loaded shard', () => {
    // Costs 5, 1, 4, 3, 3 over 2 shards. Order 0 (5), 2 (4), 3 (3), 4 (3), 1 (1):
    // 0 → A (5 | 0), 2 → B (5 | 4), 3 → B (5 | 7), 4 → A (8 | 7), 1 → B (8 | 8).
    expect(dealUnits(5, 2, [5, 1, 4, 3, 3])).toEqual([0, 1, 1, 1, 0]);
    // Round-robin would give 5 + 4 + 3 = 12 against 1 + 3 = 4.
  });

  test('equal costs deal as round-robin; zero costs still reach every shard', () => {
    expect(dealUnits(5, 2, [2, 2, 2, 2, 2])).toEqual([0, 1, 0, 1, 0]);
    expect(dealUnits(3, 3, [0, 0, 0])).toEqual([0, 1, 2]);
  });

  test("numbers-owl's ten arms over 5 shards: no shard above a fifth of the work by more than the smallest arm", () => {
    // Per arm (steps × batch × (3 + teacher forward + sampling)), as numbers-owl's arms weigh:
    // fixed tokens 3, fixed forward KL 4, fresh forward KL 7, student reverse KL 7, student pg 7.
    const costs = [3, 3, 4, 4, 7, 7, 7, 7, 7, 7];
    const deal = dealUnits(costs.length, 5, costs);
    const load = [0, 0, 0, 0, 0];
    deal.forEach((s, i) => (load[s]! += costs[i]!));
    expect(Math.max(...load) - 56 / 5).toBeLessThanOrEqual(3);
    expect(new Set(deal).size).toBe(5);
  });
});
