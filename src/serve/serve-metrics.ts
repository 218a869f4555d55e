/**
 * Prometheus text exposition for /metrics, kept by hand: a few counters
 * and one latency histogram, each a Map lookup per request.
 */

/** Upper bounds of the latency histogram, seconds: sub-millisecond lookups up to slow streams. */
const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** Values read from other parts at scrape time. */
export interface MetricSources {
  lookups: { hits: number; misses: number };
  /** /auth answers given again whole, without a lookup. */
  authAnswersReused: number;
  signatures: () => number;
  recalls: { started: number; limited: number; failed: number };
}

export class ServeMetrics {
  readonly #requests = new Map<string, number>();
  readonly #refusals = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  #streamedBytes = 0;

  /** One answered request; `seconds` from its arrival to its last byte. */
  answered(route: string, status: number, seconds: number): void {
    const key = `route="${route}",status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let histogram = this.#latency.get(route);
    if (!histogram) {
      histogram = { counts: LATENCY_BUCKETS_S.map(() => 0), sum: 0, count: 0 };
      this.#latency.set(route, histogram);
    }
    for (let i = 0; i < LATENCY_BUCKETS_S.length; i++) {
      if (seconds <= LATENCY_BUCKETS_S[i]!) histogram.counts[i]!++;
    }
    histogram.sum += seconds;
    histogram.count++;
  }

  /** Bytes of files sent through givre itself (stream delivery, members). */
  streamed(bytes: number): void {
    this.#streamedBytes += bytes;
  }

  refused(reason: string): void {
    this.#refusals.set(reason, (this.#refusals.get(reason) ?? 0) + 1);
  }

  render(sources: MetricSources): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family("givre_serve_requests_total", "counter", "Requests answered, by route and status.");
    for (const [labels, n] of this.#requests) {
      lines.push(`givre_serve_requests_total{${labels}} ${n}`);
    }
    family("givre_serve_refused_paths_total", "counter", "Request paths refused, by reason.");
    for (const [reason, n] of this.#refusals) {
      lines.push(`givre_serve_refused_paths_total{reason="${reason}"} ${n}`);
    }
    this.#renderLatency(lines, family);
    family(
      "givre_serve_lookups_total",
      "counter",
      "Catalog lookups, answered by the cache or not.",
    );
    lines.push(`givre_serve_lookups_total{cache="hit"} ${sources.lookups.hits}`);
    lines.push(`givre_serve_lookups_total{cache="miss"} ${sources.lookups.misses}`);
    family(
      "givre_serve_auth_answers_reused_total",
      "counter",
      "/auth answers given again whole, without a catalog lookup.",
    );
    lines.push(`givre_serve_auth_answers_reused_total ${sources.authAnswersReused}`);
    family("givre_serve_streamed_bytes_total", "counter", "File bytes sent through givre.");
    lines.push(`givre_serve_streamed_bytes_total ${this.#streamedBytes}`);
    family("givre_serve_signatures_total", "counter", "URLs presigned (reused ones not counted).");
    lines.push(`givre_serve_signatures_total ${sources.signatures()}`);
    family(
      "givre_serve_recalls_total",
      "counter",
      "Recalls of cold objects on access, by outcome.",
    );
    for (const [outcome, n] of Object.entries(sources.recalls)) {
      lines.push(`givre_serve_recalls_total{outcome="${outcome}"} ${n}`);
    }
    family("process_resident_memory_bytes", "gauge", "Resident memory of this process.");
    lines.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    return `${lines.join("\n")}\n`;
  }

  #renderLatency(lines: string[], family: (name: string, type: string, help: string) => void) {
    const name = "givre_serve_request_seconds";
    family(name, "histogram", "Time from request to last byte, by route.");
    for (const [route, histogram] of this.#latency) {
      LATENCY_BUCKETS_S.forEach((bound, i) => {
        lines.push(`${name}_bucket{route="${route}",le="${bound}"} ${histogram.counts[i]}`);
      });
      lines.push(`${name}_bucket{route="${route}",le="+Inf"} ${histogram.count}`);
      lines.push(`${name}_sum{route="${route}"} ${histogram.sum}`);
      lines.push(`${name}_count{route="${route}"} ${histogram.count}`);
    }
  }
}
