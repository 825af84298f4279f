/** Accepting a finding's (or a whole group's) risk from the findings page: owner, justification, expiry [UI-13]. */
import { useState } from "react";
import { call } from "../api.ts";
import { FieldError, type FieldErrors, fieldErrors } from "./Forms.tsx";

export type AcceptRiskFields = { owner: string; justification: string; expires: string };

/** The request body the form sends: trimmed fields, the finding's first target unless the whole group is meant. */
export function acceptRiskBody(rule: string, target: string | undefined, f: AcceptRiskFields) {
  return {
    rule,
    ...(target ? { target } : {}),
    owner: f.owner.trim(),
    justification: f.justification.trim(),
    expires: f.expires.trim(),
  };
}

/** A default expiry a quarter ahead (an acceptance is meant to be looked at again). */
function inAQuarter(): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 90);
  return d.toISOString().slice(0, 10);
}

export function AcceptRiskForm({
  modelId,
  rule,
  target,
  what,
  people,
  onDone,
  onCancel,
}: {
  modelId: string;
  rule: string;
  target?: string;
  /** What is accepted, in words (the finding's message or the group's title). */
  what: string;
  /** The model's people (id, name) offered as owners; any name may be typed. */
  people: [string, string][];
  onDone: () => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState<AcceptRiskFields>({ owner: "", justification: "", expires: inAQuarter() });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: keyof AcceptRiskFields) => (e: { target: { value: string } }) =>
    setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = (e: { preventDefault: () => void }) => {
    e.preventDefault();
    setBusy(true);
    call("POST /api/models/:model/accepted-risks", {
      params: { model: modelId },
      body: acceptRiskBody(rule, target, f),
    }).then(
      () => {
        setBusy(false);
        onDone();
      },
      (err: unknown) => {
        const fe = fieldErrors(err);
        setErrors(fe.fields);
        setGeneral(fe.general);
        setBusy(false);
      },
    );
  };
  const listId = `owners-${rule}-${target ?? "all"}`.replace(/[^a-zA-Z0-9_-]/g, "_");
  return (
    <form className="accept-risk" onSubmit={submit} data-testid="accept-risk">
      <p className="muted">
        Accept the risk of {target ? "this finding" : "every finding of this group"}: {what}
      </p>
      <label>
        Owner
        <input name="owner" value={f.owner} onChange={set("owner")} list={listId} aria-label="owner" />
        <datalist id={listId}>
          {people.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </datalist>
        <FieldError errors={errors} name="owner" />
      </label>
      <label>
        Justification
        <textarea
          name="justification"
          value={f.justification}
          onChange={set("justification")}
          aria-label="justification"
        />
        <FieldError errors={errors} name="justification" />
      </label>
      <label>
        Expires
        <input name="expires" type="date" value={f.expires} onChange={set("expires")} aria-label="expires" />
        <FieldError errors={errors} name="expires" />
      </label>
      {general && (
        <p className="error" role="alert">
          {general}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Accept risk
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
