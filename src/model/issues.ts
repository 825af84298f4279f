/** Model issues: errors and warnings as data, each located by file, line, column and field path. */

export type Severity = "error" | "warning";

export type ModelIssue = {
  severity: Severity;
  code: string;
  file: string;
  line: number;
  column: number;
  /** Field path in the merged model, e.g. services[3].requires[1].of[2]. Empty for file-level issues. */
  path: string;
  message: string;
};

export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** `file:line:col: error: message (at path)`: the format editors and CI annotate. */
export function formatIssue(i: ModelIssue): string {
  const where = i.path ? ` [${i.path}]` : "";
  return `${i.file}:${i.line}:${i.column}: ${i.severity}: ${i.message}${where}`;
}

/** Levenshtein distance, bounded: returns max+1 as soon as the distance exceeds max. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array(b.length + 1);
  let cur = new Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** The nearest candidate to `word`, if any is close enough to be a plausible typo. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const max = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const d = editDistance(word, c, bestD - 1 < 0 ? 0 : Math.min(max, bestD));
    if (d < bestD) {
      bestD = d;
      best = c;
      if (d === 1) break;
    }
  }
  return bestD <= max ? best : undefined;
}
