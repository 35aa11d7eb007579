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

/**
 * A secret with a random core of 36 letters and digits: wide enough an alphabet that its
 * 6-character ends never turn up by chance in logs full of hex request ids.
 */
export function plantSecret(label: string, prefix: string): PlantedSecret {
  const core = randomBytes(40).toString('base64').replace(/[+/=]/g, '').slice(0, 36);
  return { label, value: `${prefix}${core}`, core };
}

/** Shortest prefix or suffix of a secret that counts as a leak of it. */
export const PART_LENGTH = 6;
/** Characters upstreams mask keys with (`sk-proj-abcd****wxyz`, `sk-…wxyz`). */
const MASK = String.raw`(?:[*•….·#xX]){3,}`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The parts of a secret that must not leave either: its first and last 6 characters (any
 * longer prefix or suffix contains them), and a masked form (a mask run, then its last 4).
 */
export function partForms(
  secret: PlantedSecret,
): Array<{ form: string; test: (text: string) => boolean }> {
  const first = secret.value.slice(0, PART_LENGTH);
  const last = secret.value.slice(-PART_LENGTH);
  const masked = new RegExp(`${MASK}${escapeRegExp(secret.value.slice(-4))}`);
  return [
    { form: 'prefix', test: (text) => text.includes(first) },
    { form: 'suffix', test: (text) => text.includes(last) },
    { form: 'masked', test: (text) => masked.test(text) },
  ];
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
  const asText = haystack.toString('utf8');
  for (const secret of secrets) {
    for (const { form, text: needle } of encodedForms(secret)) {
      if (haystack.includes(needle)) hits.push({ secret: secret.label, form, where });
    }
    for (const { form, test } of partForms(secret)) {
      if (test(asText)) hits.push({ secret: secret.label, form, where });
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
