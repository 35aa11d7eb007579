/**
 * The upstream model id of a regex rule: `$0`-`$9` become the match's groups (an unmatched
 * group becomes ''), `$$` a literal `$`; anything else is kept as written.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(\$|\d)/g, (_, ref: string) =>
    ref === '$' ? '$' : (match[Number(ref)] ?? ''),
  );
}
