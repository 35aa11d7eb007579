import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A secret planted for a leak test: a recognisable prefix and a random core. */
export interface PlantedSecret {
  label: string;
  value: string;
  /** The random part: found even when the prefix was cut or rewritten. */
  core: string;
}

export function plantSecret(label: string, prefix: string): PlantedSecret {
  const core = randomBytes(18).toString('hex');
  return { label, value: `${prefix}${core}`, core };
}

/** One place a planted secret was found. */
export interface LeakHit {
  secret: string;
  form: string;
  where: string;
}

/**
 * The spellings a leak could take: raw, the random core alone, URL- and JSON-escaped, hex, and
 * base64/base64url at each of the three byte alignments (a secret inside a longer encoded text,
 * such as `Basic base64(user:key)`, keeps only its middle characters stable).
 */
export function encodedForms(secret: PlantedSecret): Array<{ form: string; text: string }> {
  const bytes = Buffer.from(secret.value, 'utf8');
  const forms = [
    { form: 'raw', text: secret.value },
    { form: 'core', text: secret.core },
    { form: 'url-encoded', text: encodeURIComponent(secret.value) },
    { form: 'json', text: JSON.stringify(secret.value).slice(1, -1) },
    { form: 'hex', text: bytes.toString('hex') },
  ];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const stable = encoded.slice(offset === 0 ? 0 : 4, -4);
    forms.push({ form: `base64+${offset}`, text: stable });
    forms.push({
      form: `base64url+${offset}`,
      text: stable.replace(/\+/g, '-').replace(/\//g, '_'),
    });
  }
  const seen = new Set<string>();
  return forms.filter((f) => f.text.length >= 16 && !seen.has(f.text) && seen.add(f.text));
}

/** Every form of every secret found in `text`. */
export function scanText(
  where: string,
  text: string | Buffer,
  secrets: PlantedSecret[],
): LeakHit[] {
  const haystack = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const hits: LeakHit[] = [];
  for (const secret of secrets) {
    for (const { form, text: needle } of encodedForms(secret)) {
      if (haystack.includes(needle)) hits.push({ secret: secret.label, form, where });
    }
  }
  return hits;
}

/** Every regular file under `dir` (sockets and other special files are skipped), scanned. */
export function scanTree(
  dir: string,
  secrets: PlantedSecret[],
): { files: string[]; hits: LeakHit[] } {
  const files: string[] = [];
  const walk = (path: string): void => {
    const stats = lstatSync(path);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if (stats.isFile()) {
      files.push(path);
    }
  };
  walk(dir);
  return { files, hits: files.flatMap((file) => scanText(file, readFileSync(file), secrets)) };
}
