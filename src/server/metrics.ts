/** Prometheus metrics in the text exposition format: counts and durations only, never model content. */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly hist = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private readonly counters = new Map<string, { help: string; value: number }>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${esc(method)}",route="${esc(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hk = `route="${esc(route)}"`;
    let h = this.hist.get(hk);
    if (!h) {
      h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.hist.set(hk, h);
    }
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

  render(): string {
    const out: string[] = [];
    out.push("# HELP rampart_http_requests_total HTTP requests by method, route and status.");
    out.push("# TYPE rampart_http_requests_total counter");
    for (const [k, v] of this.requests) out.push(`rampart_http_requests_total{${k}} ${v}`);
    out.push("# HELP rampart_http_request_duration_seconds HTTP request duration by route.");
    out.push("# TYPE rampart_http_request_duration_seconds histogram");
    for (const [k, h] of this.hist) {
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
