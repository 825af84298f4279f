import { StrictMode, useCallback, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import type { EnginesAvailable, ModelInfo } from "../../src/contracts/api.ts";
import { ApiError, call, type Me, setCsrf } from "./api.ts";
import type { Ctx } from "./context.ts";
import type { CityModel } from "./model.ts";
import { AuditPage } from "./pages/Audit.tsx";
import { CasesPage } from "./pages/Cases.tsx";
import { ExercisePage } from "./pages/Exercise.tsx";
import { FindingsPage } from "./pages/Findings.tsx";
import { InventoryPage } from "./pages/Inventory.tsx";
import { InvestPage } from "./pages/Invest.tsx";
import { MapPage } from "./pages/Map.tsx";
import { ModelsPage } from "./pages/Models.tsx";
import { MonitoringPage } from "./pages/Monitoring.tsx";
import { OverviewPage } from "./pages/Overview.tsx";
import { RecoverPage } from "./pages/Recover.tsx";
import { SimulationPage } from "./pages/Simulation.tsx";
import { TwinPage } from "./pages/Twin.tsx";
import { UsersPage } from "./pages/Users.tsx";
import "./styles.css";

function Login({ onDone }: { onDone: (m: Me) => void }) {
  const [username, setU] = useState("");
  const [password, setP] = useState("");
  const [error, setError] = useState("");
  return (
    <form
      className="login"
      onSubmit={async (e) => {
        e.preventDefault();
        setError("");
        try {
          onDone(await call("POST /api/auth/login", { body: { username, password } }));
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h1>Rampart</h1>
      <label>
        Username
        <input name="username" autoComplete="username" value={username} onChange={(e) => setU(e.target.value)} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setP(e.target.value)}
        />
      </label>
      <button type="submit">Log in</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

const PAGES = [
  ["overview", "Overview"],
  ["map", "Dependency map"],
  ["findings", "Findings & risk"],
  ["inventory", "Inventory"],
  ["paths", "Attack paths"],
  ["simulation", "Simulation"],
  ["recover", "Recovery"],
  ["invest", "Invest"],
  ["monitoring", "Monitoring"],
  ["cases", "Incidents"],
  ["exercises", "Exercises"],
  ["twin", "Water twin"],
  ["models", "Models"],
  ["users", "Users"],
  ["audit", "Audit"],
] as const;
type PageId = (typeof PAGES)[number][0];

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [modelId, setModelId] = useState<string>("");
  const [loaded, setLoaded] = useState<{ model: CityModel; version: number } | null>(null);
  const [engines, setEngines] = useState<EnginesAvailable>({ assess: false, simulate: false, detect: false });
  const [page, setPage] = useState<PageId>(() => (location.hash.slice(1) as PageId) || "overview");
  const [error, setError] = useState("");

  useEffect(() => {
    call("GET /api/auth/me")
      .then((m) => {
        setCsrf(m.csrfToken);
        setMe(m);
      })
      .catch(() => setMe(null));
  }, []);
  const loadModels = useCallback(() => {
    call("GET /api/models").then((r) => {
      setModels(r.models);
      if (r.models.length)
        setModelId((cur) => cur || (r.models.find((m) => m.id === "harborview")?.id ?? r.models[0].id));
    });
  }, []);
  const loadLatest = useCallback((id: string) => {
    call("GET /api/models/:model/versions/:version", { params: { model: id, version: "latest" } }).then(
      (r) => setLoaded({ model: r.model, version: r.version.version }),
      (e: Error) => setError(e.message),
    );
  }, []);
  useEffect(() => {
    if (!me) return;
    call("GET /api/engines").then(setEngines, () => {});
    loadModels();
  }, [me, loadModels]);
  useEffect(() => {
    if (!modelId) return;
    setLoaded(null);
    loadLatest(modelId);
  }, [modelId, loadLatest]);
  const reload = (id: string) => {
    loadModels();
    if (id === modelId) loadLatest(id);
    else setModelId(id);
  };
  useEffect(() => {
    location.hash = page;
  }, [page]);

  if (me === undefined) return <p className="loading">Loading…</p>;
  if (me === null)
    return (
      <Login
        onDone={(m) => {
          setCsrf(m.csrfToken);
          setMe(m);
        }}
      />
    );
  const ctx: Ctx | null = loaded
    ? {
        me,
        modelId,
        version: loaded.version,
        model: loaded.model,
        engines,
        can: (p) => me.permissions.includes(p),
        reload,
      }
    : null;
  const needs: Partial<Record<PageId, string>> = {
    audit: "audit.read",
    users: "user.manage",
    twin: "twin.watch",
    cases: "case.read",
  };
  return (
    <div className="app">
      <header>
        <strong className="brand">Rampart</strong>
        <select aria-label="model" value={modelId} onChange={(e) => setModelId(e.target.value)}>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} (v{m.latestVersion})
            </option>
          ))}
        </select>
        <nav>
          {PAGES.filter(([id]) => !needs[id] || me.permissions.includes(needs[id])).map(([id, label]) => (
            <button key={id} type="button" className={page === id ? "active" : ""} onClick={() => setPage(id)}>
              {label}
            </button>
          ))}
        </nav>
        <span className="who">
          {me.username} ({me.role})
          <button
            type="button"
            onClick={async () => {
              await call("POST /api/auth/logout").catch(() => {});
              setMe(null);
            }}
          >
            Log out
          </button>
        </span>
      </header>
      <main>
        {error && <p className="error">{error}</p>}
        {!models.length && me.permissions.includes("model.write") && (
          <ModelsPage
            ctx={{
              me,
              modelId: "",
              version: 0,
              model: {
                city: { name: "(none yet)", population: 0 },
                services: [],
                assets: [],
                zones: [],
                controls: [],
                people: [],
              },
              engines,
              can: (p) => me.permissions.includes(p),
              reload,
            }}
          />
        )}
        {!models.length && !me.permissions.includes("model.write") && <p>No model yet. An analyst can import one.</p>}
        {ctx && page === "overview" && <OverviewPage ctx={ctx} />}
        {ctx && page === "map" && <MapPage ctx={ctx} mode="map" />}
        {ctx && page === "paths" && <MapPage ctx={ctx} mode="paths" />}
        {ctx && page === "findings" && <FindingsPage ctx={ctx} />}
        {ctx && page === "inventory" && <InventoryPage ctx={ctx} />}
        {ctx && page === "simulation" && <SimulationPage ctx={ctx} />}
        {ctx && page === "recover" && <RecoverPage ctx={ctx} />}
        {ctx && page === "invest" && <InvestPage ctx={ctx} />}
        {ctx && page === "monitoring" && <MonitoringPage ctx={ctx} />}
        {ctx && page === "cases" && me.permissions.includes("case.read") && <CasesPage ctx={ctx} />}
        {ctx && page === "exercises" && me.permissions.includes("exercise.read") && <ExercisePage ctx={ctx} />}
        {ctx && page === "twin" && me.permissions.includes("twin.watch") && <TwinPage ctx={ctx} />}
        {ctx && page === "models" && <ModelsPage ctx={ctx} />}
        {ctx && page === "users" && me.permissions.includes("user.manage") && <UsersPage ctx={ctx} />}
        {ctx && page === "audit" && <AuditPage />}
      </main>
    </div>
  );
}

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String((e as Error)?.message ?? e);
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
