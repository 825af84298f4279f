import { useCallback, useEffect, useState } from "react";
import type { ExerciseInfo, ExerciseState, Review } from "../../../src/contracts/exercise.ts";
import { call, stream } from "../api.ts";
import type { Ctx } from "../context.ts";

const KINDS = ["isolate", "fallback", "crew", "restore", "contain", "nothing", "note"] as const;
type Kind = (typeof KINDS)[number];
const clock = (h: number, start: string) => {
  const [sh, sm] = start.split(":").map(Number);
  const t = Math.floor(sh * 60 + sm + Math.round(h * 60));
  const d = Math.floor(t / 1440);
  const s = `${String(Math.floor((t % 1440) / 60)).padStart(2, "0")}:${String(t % 60).padStart(2, "0")}`;
  return d > 0 ? `day ${d + 1} ${s}` : s;
};

/** Tabletop exercises: the facilitator's view (clock, all injects) and the participants' (injects due, decisions). */
export function ExercisePage({ ctx }: { ctx: Ctx }) {
  const [list, setList] = useState<ExerciseInfo[]>([]);
  const [open, setOpen] = useState("");
  const [st, setSt] = useState<ExerciseState | null>(null);
  const [review, setReview] = useState<Review | null>(null);
  const [error, setError] = useState("");
  const [kind, setKind] = useState<Kind>("note");
  const [targets, setTargets] = useState("");
  const [text, setText] = useState("");
  const [role, setRole] = useState("incident-commander");
  const load = useCallback(
    () => call("GET /api/exercises", { query: { model: ctx.modelId } }).then((r) => setList(r.exercises)),
    [ctx.modelId],
  );
  useEffect(() => {
    load().catch(() => {});
  }, [load]);
  useEffect(() => {
    if (!open) return;
    return stream("GET /api/exercises/:id/events", { params: { id: open } }, { state: (s) => setSt(s) });
  }, [open]);
  const act = (p: Promise<ExerciseState>) =>
    p.then(
      (s) => {
        setSt(s);
        setError("");
      },
      (e: Error) => setError(e.message),
    );
  const create = () =>
    call("POST /api/exercises", { body: { model: ctx.modelId, scenario: "ransomware", seed: 1 } }).then(
      (s) => {
        setOpen(s.exercise.id);
        setSt(s);
        void load();
      },
      (e: Error) => setError(e.message),
    );
  return (
    <section className="exercise">
      <h2>Exercises</h2>
      {error && <p className="error">{error}</p>}
      {ctx.can("exercise.run") && (
        <button type="button" id="new-exercise" onClick={create}>
          New exercise (ransomware, seed 1)
        </button>
      )}
      <ul>
        {list.map((x) => (
          <li key={x.id}>
            <button type="button" className="open-exercise" onClick={() => setOpen(x.id)}>
              {x.name}
            </button>{" "}
            <small>facilitator {x.facilitator}</small>
          </li>
        ))}
      </ul>
      {st && (
        <div className="card">
          <h3>
            {st.exercise.name} <span id="exercise-clock">{clock(st.now, st.exercise.startClock)}</span>{" "}
            {st.clock.running ? "running" : "paused"}
          </h3>
          {st.facilitator ? (
            <p id="facilitator">
              Facilitator:{" "}
              <button
                type="button"
                id="clock-run"
                onClick={() =>
                  act(call("POST /api/exercises/:id/clock", { params: { id: open }, body: { action: "run" } }))
                }
              >
                Run
              </button>{" "}
              <button
                type="button"
                id="clock-pause"
                onClick={() =>
                  act(call("POST /api/exercises/:id/clock", { params: { id: open }, body: { action: "pause" } }))
                }
              >
                Pause
              </button>{" "}
              <button
                type="button"
                id="clock-fast"
                onClick={() =>
                  act(
                    call("POST /api/exercises/:id/clock", {
                      params: { id: open },
                      body: { action: "speed", speed: 3600 },
                    }),
                  )
                }
              >
                Speed 3600x
              </button>
            </p>
          ) : (
            <p>
              Role:{" "}
              <select id="join-role" value={role} onChange={(e) => setRole(e.target.value)}>
                {st.roles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>{" "}
              <button
                type="button"
                id="join"
                onClick={() => act(call("POST /api/exercises/:id/join", { params: { id: open }, body: { role } }))}
              >
                Join
              </button>{" "}
              {st.myRole && <span id="my-role">as {st.myRole}</span>}
            </p>
          )}
          {st.myRole && (
            <form
              id="decide"
              onSubmit={(e) => {
                e.preventDefault();
                const t = targets
                  .split(",")
                  .map((x) => x.trim())
                  .filter(Boolean);
                void act(
                  call("POST /api/exercises/:id/decisions", {
                    params: { id: open },
                    body: { kind, targets: t, ...(text ? { text } : {}) },
                  }),
                );
              }}
            >
              <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
                {KINDS.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>{" "}
              <input
                name="targets"
                placeholder="targets (ids, comma-separated)"
                value={targets}
                onChange={(e) => setTargets(e.target.value)}
              />{" "}
              <input name="text" placeholder="note" value={text} onChange={(e) => setText(e.target.value)} />{" "}
              <button type="submit">Decide</button>
            </form>
          )}
          <h4>Injects ({st.upcoming} to come)</h4>
          <ol id="injects">
            {st.injects.map((i) => (
              <li key={i.id} className="inject">
                <b>{clock(i.at, st.exercise.startClock)}</b> {i.title}: {i.text}
              </li>
            ))}
          </ol>
          <h4>Decisions</h4>
          <ol id="decisions">
            {st.decisions.map((d, k) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: decisions are append-only and never reordered; two may be identical
              <li key={`${k}-${d.at}`} className="decision">
                {clock(d.at, st.exercise.startClock)} [{d.role}] {d.kind} {d.targets.join(", ")} {d.text ?? ""}
              </li>
            ))}
          </ol>
          <button
            type="button"
            id="review"
            onClick={() =>
              call("GET /api/exercises/:id/review", { params: { id: open } }).then(setReview, (e: Error) =>
                setError(e.message),
              )
            }
          >
            After-action review
          </button>
          {review && (
            <div id="review-report">
              <table>
                <tbody>
                  <tr>
                    <th>team</th>
                    <td>{Math.round(review.outcome.personHours).toLocaleString()} person-hours</td>
                    <td>
                      {review.outcome.objectivesMet} of {review.outcome.objectivesTotal} objectives
                    </td>
                  </tr>
                  <tr>
                    <th>nothing</th>
                    <td>{Math.round(review.nothing.personHours).toLocaleString()} person-hours</td>
                    <td>{review.nothing.objectivesMet}</td>
                  </tr>
                  <tr>
                    <th>best response</th>
                    <td>{Math.round(review.best.personHours).toLocaleString()} person-hours</td>
                    <td>{review.best.objectivesMet}</td>
                  </tr>
                </tbody>
              </table>
              <ul>
                {review.latency.map((l) => (
                  <li key={l.role}>
                    {l.role}: {l.decisions} decision(s), mean latency{" "}
                    {l.meanHours === null ? "–" : `${l.meanHours.toFixed(1)} h`}
                  </li>
                ))}
              </ul>
              <ol>
                {review.timeline
                  .filter((e) => e.type === "decision")
                  .map((e, k) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the review is a fixed list; two decisions may be identical
                    <li key={`${k}-${e.at}`} className="review-decision">
                      {e.clock} [{e.role}] {e.title} {e.text}
                    </li>
                  ))}
              </ol>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
