/**
 * Builds the compact catalogues that `rampart assess` ships, from the reference data in ../shared/data:
 *
 *   src/assess/catalogue/attack-ics.json  ATT&CK for ICS techniques: id, name, tactics (+ MITRE's copyright line)
 *   src/assess/catalogue/kev.json         CISA KEV: cveID, vendorProject, product, dateAdded, knownRansomwareCampaignUse
 *   src/assess/catalogue/csf.json         NIST CSF 2.0: the 106 current subcategories, id and statement (public domain)
 *   src/assess/catalogue/caf.json         NCSC CAF 4.0: the 41 contributing outcome ids, with short titles of our own
 *
 * Only identifiers and facts are carried over (see ../shared/data/README.md): no descriptions or other prose.
 * Usage: npx tsx scripts/build-catalogues.ts [--data ../shared/data] [--out src/assess/catalogue]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const data = resolve(arg("--data", join(root, "..", "shared", "data")));
const out = resolve(arg("--out", join(root, "src", "assess", "catalogue")));

function fail(message: string): never {
  process.stderr.write(`build-catalogues: error: ${message}\n`);
  process.exit(1);
}

function readJson(path: string): unknown {
  if (!existsSync(path)) fail(`missing ${path} (pass --data DIR)`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    fail(`cannot parse ${path}: ${(e as Error).message}`);
  }
}

function write(name: string, value: unknown) {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, name), `${JSON.stringify(value, null, 1)}\n`);
  process.stdout.write(`wrote ${join(out, name)}\n`);
}

// ---------- ATT&CK for ICS ----------
type StixObject = {
  type: string;
  id: string;
  name?: string;
  revoked?: boolean;
  x_mitre_deprecated?: boolean;
  x_mitre_shortname?: string;
  x_mitre_version?: string;
  external_references?: { source_name: string; external_id?: string }[];
  kill_chain_phases?: { kill_chain_name: string; phase_name: string }[];
  definition?: { statement?: string };
};

function buildAttack() {
  const bundle = readJson(join(data, "attack-ics", "ics-attack.json")) as { objects?: StixObject[] };
  const objects = bundle.objects ?? [];
  const mitreId = (o: StixObject) => o.external_references?.find((r) => r.source_name === "mitre-attack")?.external_id;
  const tactics = objects
    .filter((o) => o.type === "x-mitre-tactic" && !o.revoked && !o.x_mitre_deprecated)
    .map((o) => ({ id: mitreId(o) ?? "", shortname: o.x_mitre_shortname ?? "", name: o.name ?? "" }))
    .filter((t) => t.id)
    .sort((a, b) => a.id.localeCompare(b.id));
  const tacticByShort = new Map(tactics.map((t) => [t.shortname, t.id]));
  const techniques = objects
    .filter((o) => o.type === "attack-pattern" && !o.revoked && !o.x_mitre_deprecated)
    .map((o) => ({
      id: mitreId(o) ?? "",
      name: o.name ?? "",
      tactics: (o.kill_chain_phases ?? [])
        .filter((k) => k.kill_chain_name === "mitre-ics-attack")
        .map((k) => tacticByShort.get(k.phase_name) ?? k.phase_name),
    }))
    .filter((t) => /^T\d{4}/.test(t.id))
    .sort((a, b) => a.id.localeCompare(b.id));
  const marking = objects.find((o) => o.type === "marking-definition")?.definition?.statement;
  const collection = objects.find((o) => o.type === "x-mitre-collection");
  if (techniques.length < 50) fail(`only ${techniques.length} ATT&CK for ICS techniques found`);
  write("attack-ics.json", {
    source: "MITRE ATT&CK for ICS (mitre-attack/attack-stix-data, ics-attack.json)",
    version: collection?.x_mitre_version ?? "",
    copyright:
      marking ??
      "© The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation.",
    licence:
      "© 2025 The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation.",
    tactics: tactics.map(({ id, shortname, name }) => ({ id, shortname, name })),
    techniques,
  });
}

// ---------- CISA KEV ----------
function buildKev() {
  const kev = readJson(join(data, "kev", "known_exploited_vulnerabilities.json")) as {
    catalogVersion?: string;
    dateReleased?: string;
    vulnerabilities?: Record<string, unknown>[];
  };
  const vulns = (kev.vulnerabilities ?? [])
    .map((v) => ({
      cveID: String(v.cveID ?? ""),
      vendorProject: String(v.vendorProject ?? ""),
      product: String(v.product ?? ""),
      dateAdded: String(v.dateAdded ?? ""),
      knownRansomwareCampaignUse: String(v.knownRansomwareCampaignUse ?? "Unknown"),
    }))
    .filter((v) => v.cveID)
    .sort((a, b) => a.cveID.localeCompare(b.cveID));
  if (vulns.length < 100) fail(`only ${vulns.length} KEV entries found`);
  write("kev.json", {
    source: "CISA Known Exploited Vulnerabilities catalogue (cisagov/kev-data), CC0",
    catalogVersion: kev.catalogVersion ?? "",
    dateReleased: kev.dateReleased ?? "",
    count: vulns.length,
    vulnerabilities: vulns,
  });
}

// ---------- NIST CSF 2.0 ----------
function buildCsf() {
  const path = join(data, "frameworks", "NIST_CSF_v2.0_catalog.xml");
  if (!existsSync(path)) fail(`missing ${path}`);
  const xml = readFileSync(path, "utf8");
  const re = /<control id="([A-Z]{2}\.[A-Z]{2}-\d\d)" class="subcategory">([\s\S]*?)<\/control>/g;
  const subcategories: { id: string; title: string }[] = [];
  for (const m of xml.matchAll(re)) {
    const body = m[2];
    // The catalogue also lists withdrawn subcategories without marking them: the current ones have examples.
    if (!body.includes('name="example"')) continue;
    const st = /<part id="[^"]+_statement" name="statement">\s*<p>([\s\S]*?)<\/p>/.exec(body);
    const title = (st?.[1] ?? "")
      .replace(/<[^>]+>/g, "")
      .replace(/\s+/g, " ")
      .trim();
    subcategories.push({ id: m[1], title });
  }
  if (subcategories.length !== 106)
    fail(`expected the 106 current CSF 2.0 subcategories, found ${subcategories.length}`);
  write("csf.json", { source: "NIST CSF 2.0 (OSCAL catalogue), public domain", subcategories });
}

// ---------- NCSC CAF 4.0 ----------
/** Our own short wording for each contributing outcome (the ids come from the reference package). */
const CAF_TITLES: Record<string, string> = {
  "A1.a": "Board-level ownership of security",
  "A1.b": "Clear security roles",
  "A1.c": "Risk-informed decisions",
  "A2.a": "Risk management process",
  "A2.b": "Knowing the threat",
  "A2.c": "Assurance of security",
  "A3.a": "Knowing your assets",
  "A4.a": "Supplier security",
  "A4.b": "Secure software supply and support",
  "B1.a": "Writing security policy",
  "B1.b": "Applying security policy",
  "B2.a": "Verifying identity and access",
  "B2.b": "Managing devices",
  "B2.c": "Managing privileged users",
  "B2.d": "Identity and access management",
  "B3.a": "Knowing your data",
  "B3.b": "Protecting data in transit",
  "B3.c": "Protecting stored data",
  "B3.d": "Protecting mobile data",
  "B3.e": "Sanitising media and equipment",
  "B4.a": "Secure design",
  "B4.b": "Secure configuration",
  "B4.c": "Secure system management",
  "B4.d": "Managing vulnerabilities",
  "B5.a": "Preparing for resilience",
  "B5.b": "Designing for resilience",
  "B5.c": "Backups",
  "B6.a": "Security culture",
  "B6.b": "Security training",
  "C1.a": "Logging and monitoring sources",
  "C1.b": "Protecting logs",
  "C1.c": "Raising alerts",
  "C1.d": "Triaging alerts",
  "C1.e": "Monitoring skills",
  "C1.f": "Knowing normal behaviour and threats",
  "C2.a": "Hunting for threats",
  "D1.a": "Response plan",
  "D1.b": "Response and recovery capability",
  "D1.c": "Testing and exercises",
  "D2.a": "Learning from incidents",
  "D2.b": "Improving after incidents",
};

function buildCaf() {
  const path = join(data, "frameworks", "ncsc-caf-4.0.reference.yaml");
  if (!existsSync(path)) fail(`missing ${path}`);
  const doc = yaml.load(readFileSync(path, "utf8"), { schema: yaml.CORE_SCHEMA }) as {
    objects?: { framework?: { requirement_nodes?: { depth?: number; ref_id?: string }[] } };
  };
  const nodes = doc.objects?.framework?.requirement_nodes ?? [];
  const ids = nodes.filter((n) => n.depth === 3 && n.ref_id).map((n) => n.ref_id as string);
  const missing = ids.filter((id) => !(id in CAF_TITLES));
  const extra = Object.keys(CAF_TITLES).filter((id) => !ids.includes(id));
  if (ids.length !== 41 || missing.length || extra.length)
    fail(`CAF outcomes changed: ${ids.length} found; missing titles ${missing.join(",")}; unknown ${extra.join(",")}`);
  write("caf.json", {
    source: "NCSC CAF 4.0 contributing outcome identifiers; titles are Rampart's own wording",
    outcomes: ids.map((id) => ({ id, title: CAF_TITLES[id] })),
  });
}

buildAttack();
buildKev();
buildCsf();
buildCaf();
