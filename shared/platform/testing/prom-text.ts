/** Reading a Prometheus text page in tests: `name{labels}` -> value, and sums over label subsets. */

export type Samples = Map<string, number>;

export function parseSamples(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function labelsOf(key: string): Record<string, string> {
  const m = /\{(.*)\}$/.exec(key);
  const out: Record<string, string> = {};
  if (!m) return out;
  for (const p of m[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[p[1]!] = p[2]!;
  return out;
}

/** The samples of series `name` whose labels include `where`, with their labels. */
export function select(s: Samples, name: string, where: Record<string, string> = {}): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const [k, value] of s) {
    if (k !== name && !k.startsWith(`${name}{`)) continue;
    const labels = labelsOf(k);
    if (Object.entries(where).every(([l, v]) => labels[l] === v)) out.push({ labels, value });
  }
  return out;
}

/** Sum of the samples `select` finds (0 when none). */
export function total(s: Samples, name: string, where: Record<string, string> = {}): number {
  return select(s, name, where).reduce((n, x) => n + x.value, 0);
}
