// The one-line count of a run's claims, for the terminal and the HTML report:
// "7 of 9 SUPPORTED, 6 survive Holm at α 0.05", "0 of 5 SUPPORTED; 5 indicative (3 seeds)".
// Claims are read loosely (summary.json's `claims`): runs written before Holm and margins have
// no pHolm or indicative, and then the line says nothing about them.

const field = (c: unknown, key: string): unknown => (typeof c === 'object' && c !== null ? (c as Record<string, unknown>)[key] : undefined);

const distinct = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

export function claimsTally(claims: readonly unknown[]): string {
  const supported = claims.filter((c) => field(c, 'verdict') === 'SUPPORTED');
  const parts = [`${supported.length} of ${claims.length} SUPPORTED`];
  if (supported.length > 0 && claims.some((c) => typeof field(c, 'pHolm') === 'number')) {
    const survive = supported.filter((c) => field(c, 'survivesHolm') === true).length;
    const alphas = distinct(supported.map((c) => field(c, 'alpha')));
    const at = alphas.length === 1 && typeof alphas[0] === 'number' ? `at α ${alphas[0]}` : 'at their α';
    parts[0] += `, ${survive} survive${survive === 1 ? 's' : ''} Holm ${at}`;
  }
  const indicative = claims.filter((c) => field(c, 'indicative') === true);
  if (indicative.length > 0) {
    const seeds = distinct(indicative.map((c) => field(c, 'n'))).filter((n): n is number => typeof n === 'number');
    const of = seeds.length === 0 ? '' : ` (${seeds.sort((a, b) => a - b).join(' or ')} seed${seeds.length === 1 && seeds[0] === 1 ? '' : 's'})`;
    parts.push(`${indicative.length} indicative${of}`);
  }
  return parts.join('; ');
}
