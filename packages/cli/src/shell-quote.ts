/** Characters a POSIX shell reads as themselves in a word: no quoting needed. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word for a POSIX shell (sh, bash, zsh): as it is when it has nothing special, else in
 * single quotes, inside which only a single quote needs care (closed, escaped, reopened).
 */
export function shellQuote(word: string): string {
  if (word !== '' && PLAIN.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
