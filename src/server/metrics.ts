/** Prometheus metrics in the text exposition format: counts and durations only, never model content. */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

type Hist = { buckets: number[]; sum: number; count: number };

export class Metrics {
  /** method, route and status -> a counter with its label text (built once per combination). */
  private readonly requests = new Map<string, { labels: string; value: number }>();
  private readonly hist = new Map<string, { labels: string; h: Hist }>();
  private readonly counters = new Map<string, { help: string; value: number }>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();
  private readonly labelledCounters = new Map<
    string,
    { help: string; label: string; read: () => Record<string, number> }
  >();

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let c = this.requests.get(key);
    if (!c) {
      c = { labels: `method="${esc(method)}",route="${esc(route)}",status="${status}"`, value: 0 };
      this.requests.set(key, c);
    }
    c.value++;
    let e = this.hist.get(route);
    if (!e) {
      e = { labels: `route="${esc(route)}"`, h: { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 } };
      this.hist.set(route, e);
    }
    const h = e.h;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.buckets[i]++;
    h.sum += seconds;
    h.count++;
  }

  inc(name: string, help: string, by = 1): void {
    const c = this.counters.get(name) ?? { help, value: 0 };
    c.value += by;
    this.counters.set(name, c);
  }

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** A counter with one label, read when rendered (e.g. dropped readings by reason). */
  labelled(name: string, help: string, label: string, read: () => Record<string, number>): void {
    this.labelledCounters.set(name, { help, label, read });
  }

  render(): string {
    const out: string[] = [];
    out.push("# HELP rampart_http_requests_total HTTP requests by method, route and status.");
    out.push("# TYPE rampart_http_requests_total counter");
    for (const { labels, value } of this.requests.values()) out.push(`rampart_http_requests_total{${labels}} ${value}`);
    out.push("# HELP rampart_http_request_duration_seconds HTTP request duration by route.");
    out.push("# TYPE rampart_http_request_duration_seconds histogram");
    for (const { labels: k, h } of this.hist.values()) {
      BUCKETS.forEach((b, i) => {
        out.push(`rampart_http_request_duration_seconds_bucket{${k},le="${b}"} ${h.buckets[i]}`);
      });
      out.push(`rampart_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      out.push(`rampart_http_request_duration_seconds_sum{${k}} ${h.sum}`);
      out.push(`rampart_http_request_duration_seconds_count{${k}} ${h.count}`);
    }
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`, `${name} ${c.value}`);
    }
    for (const [name, c] of this.labelledCounters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [k, v] of Object.entries(c.read())) out.push(`${name}{${c.label}="${esc(k)}"} ${v}`);
    }
    for (const [name, g] of this.gauges) {
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.read()}`);
    }
    const mem = process.memoryUsage();
    out.push("# HELP process_resident_memory_bytes Resident memory size in bytes.");
    out.push("# TYPE process_resident_memory_bytes gauge", `process_resident_memory_bytes ${mem.rss}`);
    out.push("# HELP process_uptime_seconds Seconds since the process started.");
    out.push("# TYPE process_uptime_seconds gauge", `process_uptime_seconds ${process.uptime()}`);
    return `${out.join("\n")}\n`;
  }
}
