/**
 * EPANET through epanet-js (WASM, bundled: nothing is fetched at run time). The network lives in the
 * library's in-memory file system; no disk or network I/O happens here. One `Hydraulics` per running twin.
 */
import {
  CountType,
  DemandModel,
  InitHydOption,
  LinkProperty,
  NodeProperty,
  Project,
  TimeParameter,
  Workspace,
} from "epanet-js";

let workspace: Promise<Workspace> | undefined;

/** The loaded WASM module, shared by all twins of the process. */
function loadWorkspace(): Promise<Workspace> {
  workspace ??= (async () => {
    const ws = new Workspace();
    await ws.loadModule();
    return ws;
  })();
  return workspace;
}

let openCount = 0;

export interface HydraulicOptions {
  /** Seconds between hydraulic solutions when nothing else happens. */
  step: number;
  /** Seconds to simulate. */
  duration: number;
  /** Keep EPANET's own [CONTROLS] (the reference run) or disable them (PLC logic in the loop). */
  epanetControls: boolean;
  /** Initial tank levels by tank id. */
  initialLevels?: Map<string, number>;
  /** Demand multipliers per hour (rows) per pattern (columns, in the network's pattern order). */
  patterns?: number[][];
  patternIds?: string[];
  pda?: { exponent: number; pmin: number; preq: number };
}

export class Hydraulics {
  /** EPANET warnings by code, counted over the run. */
  readonly warnings = new Map<number, number>();
  private constructor(
    private readonly p: Project,
    private readonly ws: Workspace,
    private readonly file: string,
  ) {}

  /** Opens a network from its .inp text; throws an Error carrying EPANET's message if EPANET rejects it. */
  static async open(inpText: string, o: HydraulicOptions): Promise<Hydraulics> {
    const ws = await loadWorkspace();
    const file = `twin-${++openCount}.inp`;
    ws.writeFile(file, inpText);
    const p = new Project(ws);
    const h = new Hydraulics(p, ws, file);
    // EPANET's warnings (codes below 100: pumps cannot deliver head, negative pressures...) are counted,
    // not printed: under attack they are expected, and a twin must not write to the console.
    const target = p as unknown as { _checkError: (code: number) => void };
    target._checkError = (code: number) => {
      if (code === 0) return;
      if (code < 100) {
        h.warnings.set(code, (h.warnings.get(code) ?? 0) + 1);
        return;
      }
      throw new Error(`EPANET error ${code}: ${ws.getError(code)}`);
    };
    p.open(file, `twin-${openCount}.rpt`, "");
    p.setTimeParameter(TimeParameter.Duration, o.duration);
    p.setTimeParameter(TimeParameter.HydStep, o.step);
    p.setTimeParameter(TimeParameter.ReportStep, o.step);
    p.setTimeParameter(TimeParameter.PatternStep, 3600);
    if (!o.epanetControls) {
      const n = p.getCount(CountType.ControlCount);
      for (let i = 1; i <= n; i++) p.setControlEnabled(i, 0);
      const r = p.getCount(CountType.RuleCount);
      for (let i = 1; i <= r; i++) p.setRuleEnabled(i, 0);
    }
    if (o.initialLevels)
      for (const [id, level] of o.initialLevels) p.setNodeValue(p.getNodeIndex(id), NodeProperty.TankLevel, level);
    if (o.patterns && o.patternIds) {
      o.patternIds.forEach((id, col) => {
        const values = (o.patterns as number[][]).map((row) => row[col] ?? 1);
        if (values.length) p.setPattern(p.getPatternIndex(id), values);
      });
    }
    if (o.pda) p.setDemandModel(DemandModel.PDA, o.pda.pmin, o.pda.preq, o.pda.exponent);
    p.openH();
    p.initH(InitHydOption.NoSave);
    return h;
  }

  nodeIndex(id: string): number {
    return this.p.getNodeIndex(id);
  }
  linkIndex(id: string): number {
    return this.p.getLinkIndex(id);
  }
  linkNodes(index: number): [string, string] {
    const n = this.p.getLinkNodes(index);
    return [this.p.getNodeId(n.node1), this.p.getNodeId(n.node2)];
  }
  /** Solves the current time; returns it in seconds. */
  solve(): number {
    return this.p.runH();
  }
  /** Advances to the next hydraulic time; returns the step in seconds (0 at the end). */
  advance(): number {
    return this.p.nextH();
  }
  /** Pressure at a junction, or water level in a tank (m). */
  pressure(node: number): number {
    return this.p.getNodeValue(node, NodeProperty.Pressure);
  }
  flow(link: number): number {
    return this.p.getLinkValue(link, LinkProperty.Flow);
  }
  /** 1 open (running), 0 closed. */
  status(link: number): number {
    return this.p.getLinkValue(link, LinkProperty.Status) >= 1 ? 1 : 0;
  }
  setStatus(link: number, open: boolean): void {
    this.p.setLinkValue(link, LinkProperty.Status, open ? 1 : 0);
  }
  /** Runs EPANET's own whole-period solver (for the reference and the benchmark). */
  static async solveWhole(inpText: string): Promise<number> {
    const ws = await loadWorkspace();
    const file = `ref-${++openCount}.inp`;
    ws.writeFile(file, inpText);
    const p = new Project(ws);
    p.open(file, `ref-${openCount}.rpt`, "");
    p.solveH();
    const n = p.getCount(CountType.NodeCount);
    p.close();
    return n;
  }
  close(): void {
    try {
      this.p.closeH();
    } finally {
      this.p.close();
      void this.ws;
      void this.file;
    }
  }
}
