/**
 * A reader of systemd unit files for tests: sections and their key=value lines, and the word
 * splitting systemd applies to ExecStart= and Environment= (double or single quotes, C-style
 * backslash escapes inside them, `%%` for `%`, and `$$` for `$` on command lines). It checks
 * what a generated unit means, next to `systemd-analyze verify`, which checks that it loads.
 */
export type UnitFile = Map<string, Map<string, string[]>>;

export function parseUnitFile(text: string): UnitFile {
  const sections: UnitFile = new Map();
  let current: Map<string, string[]> | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq <= 0)
      throw new Error(`line ${i + 1} is not key=value in a section: ${raw}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  '\\': '\\',
  '"': '"',
  "'": "'",
  s: ' ',
};

/** Splits a value into words as systemd does for ExecStart= (`command`) or Environment=. */
export function unitWords(value: string, kind: 'command' | 'environment'): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === ' ') i += 1;
    if (i >= value.length) break;
    let word = '';
    let quote: string | undefined;
    for (; i < value.length; i += 1) {
      const c = value[i]!;
      if (quote === undefined && c === ' ') break;
      if (quote === undefined && (c === '"' || c === "'")) {
        quote = c;
        continue;
      }
      if (c === quote) {
        quote = undefined;
        continue;
      }
      if (c === '\\') {
        const next = value[i + 1] ?? '';
        const escaped = ESCAPES[next];
        if (escaped === undefined) throw new Error(`unknown escape \\${next} in ${value}`);
        word += escaped;
        i += 1;
        continue;
      }
      if (c === '%') {
        if (value[i + 1] !== '%') throw new Error(`specifier %${value[i + 1] ?? ''} in ${value}`);
        word += '%';
        i += 1;
        continue;
      }
      if (c === '$' && kind === 'command') {
        if (value[i + 1] !== '$') throw new Error(`variable reference in ${value}`);
        word += '$';
        i += 1;
        continue;
      }
      word += c;
    }
    if (quote !== undefined) throw new Error(`unbalanced quoting in ${value}`);
    words.push(word);
  }
  return words;
}

/** A path setting: taken whole, `%%` for `%`. */
export function unitPath(value: string): string {
  return value.replace(/%%/g, '%');
}
