import { useEffect, useRef, useState } from "react";
import type { VersionInfo } from "../../../src/contracts/api.ts";
import { call } from "../api.ts";
import type { Ctx } from "../context.ts";
import { FieldError, type FieldErrors, fieldErrors } from "./Forms.tsx";

type Picked = { file: string; text: string };

/** A model id from a file or folder name, following the id rule. */
function slug(name: string): string {
  return (
    name
      .replace(/\.ya?ml$/i, "")
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 64) || "model"
  );
}

async function readFiles(list: FileList | null): Promise<Picked[]> {
  const out: Picked[] = [];
  for (const f of Array.from(list ?? [])) {
    if (!/\.ya?ml$/i.test(f.name)) continue;
    // a folder's files keep their path inside it (assets/water.yaml), without the folder itself
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    out.push({ file: rel.includes("/") ? rel.split("/").slice(1).join("/") : rel, text: await f.text() });
  }
  return out;
}

/** Upload a YAML file or a folder's files as a new model or a new version; invalid models show located errors. */
function Import({ ctx }: { ctx: Ctx }) {
  const [id, setId] = useState("");
  const [message, setMessage] = useState("");
  const [files, setFiles] = useState<Picked[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [issues, setIssues] = useState<string[]>([]);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const folder = useRef<HTMLInputElement>(null);
  useEffect(() => {
    folder.current?.setAttribute("webkitdirectory", "");
  }, []);
  const pick = async (list: FileList | null, from: string) => {
    const fs = await readFiles(list);
    setFiles(fs);
    setIssues([]);
    setErrors(fs.length ? {} : { files: "no .yaml or .yml file there" });
    if (!id && fs.length) setId(slug(from));
  };
  return (
    <form
      className="form"
      aria-label="import model"
      onSubmit={async (e) => {
        e.preventDefault();
        setErrors({});
        setIssues([]);
        setDone("");
        if (!files.length) {
          setErrors({ files: "choose a YAML file or a folder first" });
          return;
        }
        setBusy(true);
        try {
          const r = await call("POST /api/models", { body: { id, message, files } });
          setDone(`imported ${r.version.modelId} v${r.version.version} (${r.warnings} warnings)`);
          ctx.reload(r.version.modelId);
        } catch (err) {
          const f = fieldErrors(err);
          setIssues(f.issues);
          setErrors({ ...f.fields, ...(f.general ? { _: f.general } : {}) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3 className="wide">Import a model</h3>
      <label>
        YAML file(s)
        <input
          type="file"
          name="model-files"
          accept=".yaml,.yml"
          multiple
          onChange={(e) => pick(e.target.files, e.target.files?.[0]?.name ?? "")}
        />
      </label>
      <label>
        or a folder
        <input
          type="file"
          name="model-folder"
          ref={folder}
          onChange={(e) => {
            const first = (e.target.files?.[0] as (File & { webkitRelativePath?: string }) | undefined)
              ?.webkitRelativePath;
            return pick(e.target.files, first?.split("/")[0] ?? "");
          }}
        />
      </label>
      <label>
        Model id (new model, or a new version of an existing one)
        <input name="model-id" value={id} onChange={(e) => setId(e.target.value)} placeholder="harborview" />
        <FieldError errors={errors} name="id" />
      </label>
      <label>
        Message
        <input name="model-message" value={message} onChange={(e) => setMessage(e.target.value)} />
        <FieldError errors={errors} name="message" />
      </label>
      <div className="wide">
        <span className="muted">
          {files.length
            ? `${files.length} file(s): ${files
                .map((f) => f.file)
                .join(", ")
                .slice(0, 300)}`
            : ""}
        </span>
        <FieldError errors={errors} name="files" />
      </div>
      <div className="wide">
        <button type="submit" disabled={busy}>
          {busy ? "Importing…" : "Import"}
        </button>{" "}
        <FieldError errors={errors} name="_" />
        {done && <span className="ok-text">{done}</span>}
      </div>
      {issues.length > 0 && (
        <ol className="issues wide" aria-label="model errors">
          {issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ol>
      )}
    </form>
  );
}

type Field = { name: string; label: string; kind: "text" | "list" | "select" | "json" | "number"; options?: string[] };
const CONTROL_FIELDS: Field[] = [
  { name: "name", label: "Name", kind: "text" },
  { name: "status", label: "Status", kind: "select", options: ["implemented", "planned", "candidate"] },
  { name: "frameworks", label: "Frameworks (comma-separated)", kind: "list" },
  { name: "cost", label: "Cost (JSON: {capex, opex})", kind: "json" },
  { name: "patch", label: "Patch (JSON list of operations on the model)", kind: "json" },
];
const PERSON_FIELDS: Field[] = [
  { name: "name", label: "Name", kind: "text" },
  { name: "role", label: "Role", kind: "text" },
  { name: "responsible", label: "Responsible for (service ids, comma-separated, or all)", kind: "list" },
  { name: "backup", label: "Backup (person id)", kind: "text" },
];

type Entity = Record<string, unknown> & { id: string; name?: string };

function toText(f: Field, v: unknown): string {
  if (v === undefined || v === null) return "";
  if (f.kind === "list") return (v as string[]).join(", ");
  if (f.kind === "json") return JSON.stringify(v, null, 1);
  return String(v);
}

/** Edits one control or person through PUT /api/models/{m}/{list}/{id}; the model's errors go next to their field. */
function EntityForm({
  ctx,
  list,
  fields,
  entity,
  onDone,
}: {
  ctx: Ctx;
  list: "controls" | "people";
  fields: Field[];
  entity: Entity | null;
  onDone: (msg: string) => void;
}) {
  const [id, setId] = useState(entity?.id ?? "");
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, toText(f, entity?.[f.name])])),
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  return (
    <form
      className="form"
      aria-label={`edit ${list}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const body: Record<string, unknown> = {};
        const errs: FieldErrors = {};
        for (const f of fields) {
          const v = values[f.name].trim();
          if (!v) continue;
          if (f.kind === "list")
            body[f.name] = v
              .split(",")
              .map((x) => x.trim())
              .filter(Boolean);
          else if (f.kind === "json") {
            try {
              body[f.name] = JSON.parse(v);
            } catch {
              errs[f.name] = "expected valid JSON";
            }
          } else body[f.name] = v;
        }
        if (list === "controls" && body.patch === undefined) body.patch = [];
        if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) errs.id = "expected an id: lowercase letters, digits and dashes";
        setErrors(errs);
        if (Object.keys(errs).length) return;
        try {
          const r = await call(`PUT /api/models/:model/${list}/:id`, { params: { model: ctx.modelId, id }, body });
          onDone(`${list} ${id} saved as version ${r.version.version}`);
          ctx.reload(ctx.modelId);
        } catch (err) {
          // an edit's issues name their field (controls[3].status); one that names none is shown below the form
          const f = fieldErrors(err);
          const none = !Object.keys(f.fields).length;
          setErrors({ ...f.fields, ...(none ? { _: f.general || (err as Error).message } : {}) });
        }
      }}
    >
      <label>
        Id
        <input name="id" value={id} disabled={!!entity} onChange={(e) => setId(e.target.value)} />
        <FieldError errors={errors} name="id" />
      </label>
      {fields.map((f) => (
        // biome-ignore lint/a11y/noLabelWithoutControl: the control is one of the three below, chosen by kind
        <label key={f.name} className={f.kind === "json" ? "wide" : ""}>
          {f.label}
          {f.kind === "select" ? (
            <select
              name={f.name}
              value={values[f.name]}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            >
              <option value="">–</option>
              {f.options?.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          ) : f.kind === "json" ? (
            <textarea
              name={f.name}
              value={values[f.name]}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            />
          ) : (
            <input
              name={f.name}
              value={values[f.name]}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            />
          )}
          <FieldError errors={errors} name={f.name} />
        </label>
      ))}
      <div className="wide">
        <button type="submit">Save as a new version</button> <FieldError errors={errors} name="_" />
      </div>
    </form>
  );
}

function EntityList({ ctx, list }: { ctx: Ctx; list: "controls" | "people" }) {
  const fields = list === "controls" ? CONTROL_FIELDS : PERSON_FIELDS;
  const raw = ctx.model[list] as unknown as Entity[];
  const [editing, setEditing] = useState<Entity | "new" | null>(null);
  const [note, setNote] = useState("");
  const write = ctx.can("model.write");
  return (
    <div>
      <h3>
        {list === "controls" ? "Controls (defences)" : "People"} ({raw.length}){" "}
        {write && (
          <button type="button" onClick={() => setEditing(editing === "new" ? null : "new")}>
            Add
          </button>
        )}
      </h3>
      {note && <p className="ok-text">{note}</p>}
      {editing === "new" && (
        <EntityForm
          ctx={ctx}
          list={list}
          fields={fields}
          entity={null}
          onDone={(m) => {
            setNote(m);
            setEditing(null);
          }}
        />
      )}
      <table className={`entities ${list}`}>
        <tbody>
          {raw.map((x) => (
            <tr key={x.id} data-id={x.id}>
              <td>
                <strong>{x.name}</strong>
                <div className="muted">
                  {x.id}
                  {list === "controls" ? ` · ${String(x.status)}` : ` · ${String(x.role)}`}
                </div>
                {editing !== "new" && editing?.id === x.id && (
                  <EntityForm
                    key={x.id}
                    ctx={ctx}
                    list={list}
                    fields={fields}
                    entity={x}
                    onDone={(m) => {
                      setNote(m);
                      setEditing(null);
                    }}
                  />
                )}
              </td>
              {write && (
                <td>
                  <button
                    type="button"
                    onClick={() => setEditing(editing !== "new" && editing?.id === x.id ? null : x)}
                  >
                    Edit
                  </button>{" "}
                  <button
                    type="button"
                    onClick={async () => {
                      if (!window.confirm(`Remove ${x.id}? (a new version)`)) return;
                      try {
                        await call(`DELETE /api/models/:model/${list}/:id`, {
                          params: { model: ctx.modelId, id: x.id },
                        });
                        setNote(`${x.id} removed`);
                        ctx.reload(ctx.modelId);
                      } catch (e) {
                        setNote((e as Error).message);
                      }
                    }}
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Models: import, versions, and the controls and people of the current model. */
export function ModelsPage({ ctx }: { ctx: Ctx }) {
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  useEffect(() => {
    call("GET /api/models/:model/versions", { params: { model: ctx.modelId } }).then(
      (r) => setVersions(r.versions),
      () => {},
    );
  }, [ctx.modelId]);
  return (
    <section className="models-page">
      {ctx.can("model.write") ? <Import ctx={ctx} /> : <p className="muted">Your role cannot import models.</p>}
      <h3>Versions of {ctx.model.city.name}</h3>
      <table>
        <thead>
          <tr>
            <th>Version</th>
            <th>Message</th>
            <th>By</th>
            <th>At</th>
            <th>Services / assets</th>
          </tr>
        </thead>
        <tbody>
          {[...versions].reverse().map((v) => (
            <tr key={v.version}>
              <td>v{v.version}</td>
              <td>{v.message}</td>
              <td>{v.createdBy}</td>
              <td className="muted">{v.createdAt.slice(0, 16).replace("T", " ")}</td>
              <td>
                {v.counts.services} / {v.counts.assets}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="two-cols">
        <EntityList ctx={ctx} list="controls" />
        <EntityList ctx={ctx} list="people" />
      </div>
    </section>
  );
}
