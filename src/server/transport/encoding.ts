export type Encoding = "br" | "gzip" | "identity";

const encodings = new Map<string, Encoding>();
/** The best encoding an Accept-Encoding header allows (br, then gzip), honouring `;q=0`; memoized per header. */
export function pickEncoding(header: string | undefined): Encoding {
  if (!header) return "identity";
  const hit = encodings.get(header);
  if (hit) return hit;
  const ok = new Set<string>();
  for (const part of header.slice(0, 300).toLowerCase().split(",")) {
    const [name, ...ps] = part.trim().split(";");
    const q = ps.map((x) => x.trim()).find((x) => x.startsWith("q="));
    if (q && !(Number(q.slice(2)) > 0)) continue;
    ok.add(name.trim());
  }
  const out: Encoding = ok.has("br") ? "br" : ok.has("gzip") || ok.has("*") ? "gzip" : "identity";
  if (encodings.size >= 200) encodings.clear();
  encodings.set(header, out);
  return out;
}
