import { useState } from "react";
import type { Ctx } from "../context.ts";

const AUTH = ["none", "default", "password", "mfa", "certificate", "unknown"];

/**
 * The asset inventory with filters (auth, protocol, exposure, vendor, zone, layer, kind) and the zones with SL-T
 * against SL-A ([INV-1], [ZON-1]); read from the model.
 */
export function InventoryPage({ ctx }: { ctx: Ctx }) {
  const m = ctx.model;
  const [auth, setAuth] = useState("");
  const [layer, setLayer] = useState("");
  const [kind, setKind] = useState("");
  const [zone, setZone] = useState("");
  const [vendor, setVendor] = useState("");
  const [protocol, setProtocol] = useState("");
  const [exposed, setExposed] = useState("");
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))].sort();
  const rows = m.assets.filter(
    (a) =>
      (!auth || (a.auth ?? "unknown") === auth) &&
      (!layer || a.layer === layer) &&
      (!kind || a.kind === kind) &&
      (!zone || a.zone === zone) &&
      (!vendor || a.vendor === vendor) &&
      (!protocol || a.protocols.includes(protocol)) &&
      (!exposed || String(a.exposed) === exposed),
  );
  const sel = (label: string, value: string, set: (v: string) => void, options: string[]) => (
    <label>
      {label}
      <select value={value} onChange={(e) => set(e.target.value)} aria-label={`inventory ${label.toLowerCase()}`}>
        <option value="">all</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  const zoneName = new Map(m.zones.map((z) => [z.id as string, z.name ?? z.id]));
  return (
    <section>
      <div className="filters">
        {sel("Auth", auth, setAuth, AUTH)}
        {sel("Layer", layer, setLayer, uniq(m.assets.map((a) => a.layer)))}
        {sel("Kind", kind, setKind, uniq(m.assets.map((a) => a.kind)))}
        {sel("Zone", zone, setZone, uniq(m.assets.map((a) => a.zone)))}
        {sel("Vendor", vendor, setVendor, uniq(m.assets.map((a) => a.vendor)))}
        {sel("Protocol", protocol, setProtocol, uniq(m.assets.flatMap((a) => a.protocols)))}
        {sel("Exposed", exposed, setExposed, ["true", "false"])}
        <span className="muted" data-testid="inventory-count">
          {rows.length} of {m.assets.length} assets
        </span>
      </div>
      <table className="inventory">
        <thead>
          <tr>
            <th>Asset</th>
            <th>Kind</th>
            <th>Layer</th>
            <th>Zone</th>
            <th>Vendor</th>
            <th>Auth</th>
            <th>Protocols</th>
            <th>Exposed</th>
            <th>Monitored</th>
            <th>Backup</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 500).map((a) => (
            <tr key={a.id} data-asset={a.id}>
              <td title={a.id}>{a.name}</td>
              <td>{a.kind}</td>
              <td>{a.layer}</td>
              <td>{zoneName.get(a.zone) ?? a.zone}</td>
              <td>{a.vendor ?? ""}</td>
              <td>{a.auth ?? "unknown"}</td>
              <td>{a.protocols.join(", ")}</td>
              <td>{a.exposed ? "yes" : ""}</td>
              <td>{a.monitored ? "yes" : ""}</td>
              <td>{a.backup ? (a.backup.offline ? "offline" : "online") : "none"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 500 && <p className="muted">First 500 shown: narrow the filters.</p>}
      <h3>Zones: security level target (SL-T) against achieved (SL-A)</h3>
      <table className="zones">
        <thead>
          <tr>
            <th>Zone</th>
            <th>Purdue level</th>
            <th>SL-T</th>
            <th>SL-A</th>
            <th>Gap</th>
          </tr>
        </thead>
        <tbody>
          {m.zones.map((z) => {
            const t = z.sl?.target;
            const s = z.sl?.achieved;
            const gap = t !== undefined && s !== undefined ? t - s : undefined;
            return (
              <tr key={z.id} data-zone={z.id} className={gap && gap > 0 ? (gap >= 2 ? "sev-high" : "sev-medium") : ""}>
                <td title={z.id}>{z.name ?? z.id}</td>
                <td>{z.level ?? ""}</td>
                <td>{t ?? ""}</td>
                <td>{s ?? ""}</td>
                <td>{gap !== undefined && gap > 0 ? `-${gap}` : gap === 0 ? "0" : ""}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
