import {
  estimate,
  type Estimate,
  judge,
  pairedExtraShares,
  pairedRatios,
  quantile,
  quantileRanks,
  type Target,
} from '../../bench/src/stats';

describe('quantileRanks: the 95 % interval of the median', () => {
  // Expected ranks and coverages from a textbook table, "Table A.7: Confidence Intervals for the Population
  // Median" (exact binomial, the interval closest to 95 % without going under), not from this code's rule.
  describe.each([
    [6, 1, 6, 0.969],
    [7, 1, 7, 0.984],
    [8, 1, 8, 0.992],
    [9, 2, 8, 0.961],
    [10, 2, 9, 0.979],
    [11, 2, 10, 0.988],
    [12, 3, 10, 0.961],
    [13, 3, 11, 0.978],
    [14, 3, 12, 0.987],
    [15, 4, 12, 0.965],
    [16, 4, 13, 0.979],
    [17, 5, 13, 0.951],
    [18, 5, 14, 0.969],
    [19, 5, 15, 0.981],
    [20, 6, 15, 0.959],
  ])('when n = %i', (n, lower, upper, coverage) => {
    it(`bounds the median by x(${lower}) and x(${upper}) with coverage ${coverage}`, () => {
      const ranks = quantileRanks(n, 0.5);

      expect([ranks.lower, ranks.upper]).toEqual([lower, upper]);
      expect(ranks.coverage).toBeCloseTo(coverage, 3);
    });
  });

  describe.each([1, 3, 5])('when n = %i', (n) => {
    // The same table: even [x(1), x(n)] covers the median with only 1 - 2 / 2^n (93.8 % for n = 5).
    it('has no 95 % bound on either side', () => {
      const ranks = quantileRanks(n, 0.5);

      expect(ranks).toEqual({ lower: null, upper: null, coverage: 1 });
    });
  });
});

describe('quantileRanks: other quantiles', () => {
  // (10, 0.9) by hand: B ~ Bin(10, 0.9) samples below the 90th percentile; P(B <= 6) = 0.0128 <= 0.025 and
  // P(B <= 7) = 0.0702 > 0.025, so the lower bound is x(7); P(B >= 10) = 0.9^10 = 0.349 > 0.025, so no upper
  // bound; coverage 1 - 0.0128. The other rows from scipy.stats.binom (cdf and sf), an independent implementation.
  describe.each([
    [10, 0.9, 7, null, 0.9872],
    [50, 0.9, 41, 50, 0.9703],
    [200, 0.99, 195, null, 0.984],
    [1000, 0.99, 983, 997, 0.9761],
    [5000, 0.99, 4936, 4964, 0.9537],
  ])('when n = %i and q = %d', (n, q, lower, upper, coverage) => {
    it(`bounds the quantile by ranks ${lower} and ${upper}`, () => {
      const ranks = quantileRanks(n, q);

      expect([ranks.lower, ranks.upper]).toEqual([lower, upper]);
      expect(ranks.coverage).toBeCloseTo(coverage, 4);
    });
  });
});

describe('estimate', () => {
  it('when given ten unsorted samples, it reports the nearest-rank median and x(2), x(9) as its bounds', () => {
    const samples = [50, 10, 90, 30, 70, 20, 100, 40, 80, 60];

    const e = estimate(samples);

    expect(e).toMatchObject({ n: 10, value: 50, lo: 20, hi: 90, ranks: [2, 9] });
  });

  it('when the sample is too small for a bound, the bound is null rather than the extreme sample', () => {
    const e = estimate([3, 1, 2]);

    expect(e).toMatchObject({ value: 2, lo: null, hi: null });
  });

  it('when asked for the p99 of 1000 samples, it reports the 990th smallest', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i);

    const e = estimate(samples, 0.99);

    expect(e).toMatchObject({ value: 990, lo: 983, hi: 997 });
  });
});

describe('paired per-round values', () => {
  it('when the load moves both sides of a round together, the per-round ratio is not the ratio of the medians', () => {
    // Rounds under light, heavy and medium load: ours is twice the floor in every round.
    const floor = [10, 40, 20];
    const ours = [20, 80, 40];
    const uneven = [25, 80, 30];

    expect(pairedRatios(ours, floor)).toEqual([2, 2, 2]);
    expect(quantile(pairedRatios(uneven, floor), 0.5)).toBe(2);
    // The quotient of the medians of `uneven` and `floor` is 30 / 20 = 1.5: a different figure.
    expect(quantile(uneven, 0.5) / quantile(floor, 0.5)).toBe(1.5);
  });

  it("when ours started faster than the floor in a round, that round's extra share is negative", () => {
    const shares = pairedExtraShares([30, 25], [120, 130], [20, 30]);

    expect(shares).toEqual([0.1, -0.05]);
  });
});

describe('judge', () => {
  const atMost13: Target = { max: 1.3, inclusive: true, text: '<= 1.3x' };
  const under1: Target = { max: 1, inclusive: false, text: '< 1 ms' };
  const ratioFloor = { min: 1, text: '1x' };
  const e = (value: number, lo: number | null, hi: number | null): Estimate => ({
    q: 0.5,
    n: 30,
    value,
    lo,
    hi,
    ranks: [10, 21],
    level: 0.95,
    coverage: 0.957,
  });

  describe.each([
    ['the whole interval is under the target', e(1.2, 1.1, 1.25), atMost13, 'holds'],
    ['the interval ends exactly on an inclusive target', e(1.2, 1.1, 1.3), atMost13, 'holds'],
    ['the whole interval is over the target', e(1.41, 1.35, 1.5), atMost13, 'missed'],
    ['the interval straddles the target', e(1.28, 1.2, 1.4), atMost13, 'within noise'],
    ['the median misses but the interval reaches under the target', e(1.41, 1.25, 1.5), atMost13, 'within noise'],
    ['the sample is too small for any bound', e(1.1, null, null), atMost13, 'within noise'],
    ['only the lower bound exists and it is over the target', e(1.5, 1.4, null), atMost13, 'missed'],
    ['the interval ends exactly on a strict target', e(0.5, 0.4, 1), under1, 'within noise'],
    ['the interval starts exactly on a strict target', e(1.2, 1, 1.4), under1, 'missed'],
    ['the figure is below its physical floor, though under the target', e(0.9, 0.85, 0.95), atMost13, 'method error'],
    ['only the interval reaches below the floor', e(1.05, 0.95, 1.2), atMost13, 'holds'],
  ])('when %s', (_situation, estimateOf, target, verdict) => {
    it(`says ${verdict}`, () => {
      const floor = target === atMost13 ? ratioFloor : undefined;

      expect(judge(estimateOf, target, floor)).toBe(verdict);
    });
  });
});
