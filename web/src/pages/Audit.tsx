import { useEffect, useState } from "react";
import type { AuditEntry, AuditVerify } from "../../../src/contracts/api.ts";
import { call } from "../api.ts";

/** The audit log and a check of its hash chain. */
export function AuditPage() {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  useEffect(() => {
    call("GET /api/audit", { query: { limit: 300 } }).then((r) => setEntries(r.entries));
  }, []);
  return (
    <section>
      <div className="filters">
        <button type="button" onClick={async () => setVerify(await call("GET /api/audit/verify"))}>
          Verify the hash chain
        </button>
        {verify && (
          <span className={verify.ok ? "ok-text" : "error"}>
            {verify.ok
              ? `intact: ${verify.entries} entries`
              : `BROKEN: ${verify.problems.map((p) => `#${p.seq} ${p.message}`).join("; ")}`}
          </span>
        )}
      </div>
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>Time</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.target}</td>
              <td className="muted">{JSON.stringify(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
