/**
 * A corpus of hostile inputs for every parser ([LIM-6]): YAML alias bombs (the 557- and 606-byte
 * models, nine-way aliases nested eight and nine deep inside a district's geometry), deep YAML and JSON,
 * huge scalars, and strings that injection tries use. Generated, so each one's shape is plain to read.
 */

/** A model whose district geometry holds `levels` levels of `fan`-way aliases (the bombs). */
export function aliasBombModel(levels: number, fan = 9): string {
  const lines = ["rampart: 1", "city: { name: Bomb, population: 10 }", "districts:", "  - id: d", "    name: D"];
  lines.push("    population: 10", "    geometry:", "      a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]");
  for (let i = 1; i < levels; i++) {
    const refs = Array.from({ length: fan }, () => `*a${i - 1}`).join(",");
    lines.push(`      a${i}: &a${i} [${refs}]`);
  }
  lines.push(`      top: [${Array.from({ length: fan }, () => `*a${levels - 1}`).join(",")}]`);
  return `${lines.join("\n")}\n`;
}

/** A scenario file with an alias bomb in a field that allows free mappings. */
export function aliasBombYaml(levels: number, fan = 9): string {
  const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < levels; i++)
    lines.push(`a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(",")}]`);
  return `${lines.join("\n")}\n`;
}

/** Nested flow sequences `[[[...]]]`, `depth` deep. */
export const deepYaml = (depth: number) => `rampart: 1\ncity: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
/** Nested block mappings, `depth` deep. */
export function deepBlockYaml(depth: number): string {
  let out = "rampart: 1\ncity:\n";
  for (let i = 0; i < depth; i++) out += `${"  ".repeat(i + 1)}k${i}:\n`;
  return `${out}${"  ".repeat(depth + 1)}v: 1\n`;
}
export const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
export const deepJsonArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

export const INJECTION_STRINGS = [
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "/etc/passwd",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  `$${"{"}jndi:ldap://127.0.0.1/a}`,
  "{{7*7}}",
  "\u0000\u0001\u0002",
  "a\r\nSet-Cookie: x=1",
  "\u202egnp.exe",
  "__proto__",
];

/** Every YAML bomb with a name, for the parsers' corpus test. */
export function yamlBombs(): { name: string; text: string }[] {
  return [
    { name: "alias bomb 9^8 (557 bytes)", text: aliasBombModel(8) },
    { name: "alias bomb 9^9 (606 bytes)", text: aliasBombModel(9) },
    { name: "alias bomb 10^10 plain", text: aliasBombYaml(10, 10) },
    { name: "deep flow 10,000", text: deepYaml(10_000) },
    { name: "deep block 200", text: deepBlockYaml(200) },
    { name: "many aliases", text: `a: &a x\nb: [${Array.from({ length: 5000 }, () => "*a").join(",")}]\n` },
  ];
}

export function jsonBombs(): { name: string; text: string }[] {
  return [
    { name: "deep object 1,000", text: deepJson(1000) },
    { name: "deep array 100,000", text: deepJsonArray(100_000) },
    { name: "__proto__ key", text: '{"__proto__": {"admin": true}}' },
    { name: "escaped __proto__ key", text: '{"\\u005f_proto__": {"admin": true}}' },
    { name: "constructor.prototype", text: '{"constructor": {"prototype": {"admin": true}}}' },
  ];
}
