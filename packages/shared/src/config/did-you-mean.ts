import { distance } from 'fastest-levenshtein';

/**
 * The candidates closest to a mistyped word, best first: same text in another case, small
 * edit distances (about one typo per three letters), and a prefix of at least three letters
 * ("qwen" → "qwen-7b").
 */
export function closestMatches(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const wanted = word.toLowerCase();
  const scored: Array<{ candidate: string; score: number }> = [];
  for (const candidate of new Set(candidates)) {
    const other = candidate.toLowerCase();
    const edits = distance(wanted, other);
    const allowed = Math.max(1, Math.floor(Math.max(wanted.length, other.length) / 3));
    const prefix =
      Math.min(wanted.length, other.length) >= 3 &&
      (other.startsWith(wanted) || wanted.startsWith(other));
    if (edits <= allowed || prefix) scored.push({ candidate, score: edits });
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** `did you mean "x"?` for the closest candidate, or undefined when none is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const [best] = closestMatches(word, candidates, 1);
  return best === undefined ? undefined : `did you mean "${best}"?`;
}
