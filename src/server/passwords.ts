/**
 * [SEC-12] Password checks as NIST SP 800-63B asks: NFKC normalisation, a minimum length, no control
 * characters, not a common or breached pattern (a block-list shipped in `data/common-passwords.txt`,
 * with the usual decorations: digits or symbols around a word, leetspeak, repetition, sequences), and not
 * built on the username. Composition rules (a digit, a capital) are not asked for: length and the list are.
 */
import { readFileSync } from "node:fs";

export const MIN_LENGTH = 12;
export const MAX_LENGTH = 256;

const LIST = new Set(
  readFileSync(new URL("./data/common-passwords.txt", import.meta.url), "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean),
);

const LEET: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
  "!": "i",
};

/** The form passwords are hashed and checked in. */
export function normalizePassword(p: string): string {
  return p.normalize("NFKC");
}

/** A run of consecutive characters (abcd, 4321, with digits wrapping 9 -> 0). */
function sequential(s: string): boolean {
  if (s.length < 4) return false;
  const step = (a: number, b: number) => {
    if (a === 57 && b === 48) return 1; // 9 -> 0
    if (a === 48 && b === 57) return -1; // 0 -> 9
    const d = b - a;
    return d === 1 || d === -1 ? d : 0;
  };
  const first = step(s.charCodeAt(0), s.charCodeAt(1));
  if (first === 0) return false;
  for (let i = 2; i < s.length; i++) if (step(s.charCodeAt(i - 1), s.charCodeAt(i)) !== first) return false;
  return true;
}

/** `unit` repeated: aaaa, abcabc, "pass pass ". */
function repeated(s: string): boolean {
  for (let n = 1; n <= s.length / 2; n++) {
    if (s.length % n) continue;
    if (s.slice(0, n).repeat(s.length / n) === s) return true;
  }
  return false;
}

const strip = (s: string) => s.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ""); // digits and symbols around a word
const deleet = (s: string) => s.replace(/[013457@$!]/g, (c) => LEET[c] ?? c);

function listed(s: string): boolean {
  const core = strip(s);
  return [s, core, deleet(s), deleet(core), strip(deleet(s))].some((x) => x.length > 0 && LIST.has(x));
}

/** What is wrong with a password, or null when it is acceptable. `username`: whose password it is. */
export function passwordProblem(password: string, username?: string): string | null {
  const p = normalizePassword(password);
  const chars = [...p];
  if (chars.length < MIN_LENGTH) return `expected a password of at least ${MIN_LENGTH} characters`;
  if (chars.length > MAX_LENGTH) return `expected a password of at most ${MAX_LENGTH} characters`;
  if (/\p{Cc}/u.test(p)) return "a password cannot contain control characters";
  if (p.trim() === "") return "a password cannot be only spaces";
  const lower = p.toLowerCase();
  const squeezed = lower.replace(/[\s_.-]+/g, "");
  if (new Set(chars).size < 4 || repeated(lower) || repeated(squeezed) || sequential(squeezed)) {
    return "this password is a repetition or a sequence: choose a longer phrase of unrelated words";
  }
  if (listed(lower) || listed(squeezed)) {
    return "this password is on the list of common and breached passwords: choose another";
  }
  if (username && username.length >= 3) {
    const u = username.toLowerCase();
    if (squeezed.includes(u.replace(/[\s_.-]+/g, "")) || squeezed.includes([...u].reverse().join(""))) {
      return "a password cannot contain the username";
    }
  }
  return null;
}
