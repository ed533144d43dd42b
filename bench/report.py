"""results.json -> results.md: the summary against its targets, then each benchmark's tables."""

from __future__ import annotations

import json
from typing import Any

from bench.summary import TARGETS


def _summary_md(results: dict[str, Any]) -> list[str]:
    lines = ["## Summary", "", "| figure | value | target |", "|---|---|---|"]
    for key, value in results["summary"].items():
        target = TARGETS.get(key)
        goal = f"{target[0]} {target[1]:g}" if target else ""
        shown = "not measured" if value is None else f"{value:g}"
        lines.append(f"| `{key}` | {shown} | {goal} |")
    met = results["targets"]
    lines += [
        "",
        "Targets: "
        + ", ".join(
            f"`{k}` {'met' if v else ('not measured' if v is None else 'NOT met')}"
            for k, v in met.items()
        )
        + ". (The saga target is 1,000 orders/s *or* 2 ms of CPU per order.)",
        "",
    ]
    return lines


def _serde_md(figures: dict[str, Any]) -> list[str]:
    lines = []
    for key, label in (("order_created", "OrderCreated"), ("all_samples", "mix of all samples")):
        f = figures[key]
        lines += [
            f"### Serde, {label} (µs/msg, median of {figures['repetitions']})",
            "",
            "| path | serialize | deserialize | round trip |",
            "|---|---|---|---|",
        ]
        for path, desc in (
            ("floor", "fastavro floor (dicts, header by hand)"),
            ("ours", "our EventSerde (typed events)"),
            ("stock", "confluent AvroSerializer/AvroDeserializer (typed events)"),
        ):
            p = f[path]
            lines.append(
                f"| {desc} | {p['serialize_us_per_msg']} | {p['deserialize_us_per_msg']} "
                f"| {p['round_trip_us_per_msg']} |"
            )
        r = f["ratios"]
        lines += [
            "",
            f"- ours / floor: serialize {r['ours_over_floor_serialize']}, deserialize "
            f"{r['ours_over_floor_deserialize']}, **round trip {r['ours_over_floor_round_trip']}** "
            "(target <= 1.3)",
            f"- stock / ours: serialize {r['stock_over_ours_serialize']}, deserialize "
            f"{r['stock_over_ours_deserialize']}, **round trip {r['stock_over_ours_round_trip']}** "
            "(target >= 1.7)",
            "",
        ]
    return lines


def _loop_md(f: dict[str, Any]) -> list[str]:
    return [
        f"### Consume -> decode -> transform -> encode -> produce (Tansu, {f['partitions']} "
        f"partition, {f['events_per_run']} events/run, median of {f['repetitions']})",
        "",
        "| serde | events/s | runs |",
        "|---|---|---|",
        f"| ours | {f['ours_events_per_s']} | {f['runs_events_per_s']['ours']} |",
        f"| stock confluent | {f['stock_events_per_s']} | {f['runs_events_per_s']['stock']} |",
        "",
        f"- ours / stock, median of the {f['repetitions']} back-to-back pairs: "
        f"**{f['ours_over_stock']}** (target >= 2); pairs: {f.get('ours_over_stock_runs')}",
        "",
        *_handling_md(f.get("handling")),
    ]


def _handling_md(h: dict[str, Any] | None) -> list[str]:
    if not h:
        return []
    return [
        f"- the runtime's Processor over the same input, with / without its per-message "
        f"observability: {h['observed_events_per_s']} / {h['bare_events_per_s']} messages/s; "
        f"it adds {h['added_us_per_message']} µs per message, "
        f"{round(100 * h['added_share_of_a_handling'], 1)}% of a bare handling",
        "",
    ]


def _registry_md(figures: dict[str, Any]) -> list[str]:
    r = figures["registry"]
    lines = [
        f"### Schema Registry ({r['client_threads']} client threads)",
        "",
        "| request | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|",
    ]
    for key, label in (
        ("lookup_by_id", "GET /schemas/ids/{id}"),
        ("lookup_by_subject_version", "GET /subjects/{s}/versions/{v}"),
        ("bare_endpoint", "GET /health (bare endpoint, same server)"),
    ):
        if key in r:
            x = r[key]
            lines.append(
                f"| {label} | {x['requests_per_s']} | {x['p50_ms']} | {x['p99_ms']} "
                f"| {x['errors']} |"
            )
    h = r["registration_full_transitive"]
    lines += [
        "",
        f"- lookups / bare endpoint: by id **{r['lookup_by_id'].get('ratio_vs_bare')}**, by"
        f" subject/version **{r['lookup_by_subject_version'].get('ratio_vs_bare')}**",
        f"- registration along {h['versions']} {h['level']} versions: mean {h['mean_ms']} ms "
        f"(first 10: {h['first_10_mean_ms']} ms, last 10: {h['last_10_mean_ms']} ms)",
        "",
    ]
    return lines


def _profile_md(p: dict[str, Any]) -> list[str]:
    if "error" in p:
        return [f"Profile of {p['service']}: not taken ({p['error']}).", ""]
    lines = [
        f"#### Profile: {p['service']} under saturation ({p['tool']}, {p['seconds']:g} s, "
        f"{p['samples']} samples; % of samples)",
        "",
        "| self time | % | inclusive | % | self time by package (or file) | % |",
        "|---|---|---|---|---|---|",
    ]
    columns = ("top_self", "top_inclusive", "self_by_package")
    for i in range(max(len(p[c]) for c in columns)):
        cells = []
        for column in columns:
            entry = p[column][i] if i < len(p[column]) else None
            cells += [f"`{entry['frame']}`", str(entry["percent"])] if entry else ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _saga_md(figures: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for database in ("sqlite", "postgres"):
        s = figures.get(database)
        if not s:
            note = figures.get(f"{database}_note", "")
            lines += [f"### Saga on {database}: not run ({note})", ""]
            continue
        sat, half = s["saturation"], s["half_load"]
        lines += [
            f"### Saga on {database}, POST -> DELIVERED (1 instance per service, "
            f"{s['partitions_per_topic']} partitions per topic)",
            "",
            f"- saturation: **{sat['orders_per_s']} orders/s** ({sat['orders']} orders from "
            f"{sat['clients']} closed-loop clients in {sat['seconds']} s), "
            f"**{sat['cpu_ms_per_order']} ms of CPU per order** over every process, "
            f"{sat.get('cpu_ms_per_order_above_idle')} ms above idle "
            f"({sat['cpu_cores_busy']} cores busy; the load generator used "
            f"{sat['load_generator_cpu_ms_per_order']} ms/order more, not counted)",
            f"- open loop at half that rate ({half['rate_per_s']} orders/s for "
            f"{half['seconds']:g} s, {half['orders']} orders), latency from the scheduled send: "
            f"**p50 {half['latency_p50_ms']} ms, p99 {half['latency_p99_ms']} ms** "
            f"(max {half['latency_max_ms']} ms)",
            "",
            "| process | CPU ms/order | user | system | above idle | idle CPU, % of a core "
            "| RSS MiB |",
            "|---|---|---|---|---|---|---|",
        ]
        by_process = sat["cpu_ms_per_order_by_process"]
        above = sat.get("cpu_ms_per_order_above_idle_by_process", {})
        for name, cpu in sorted(by_process.items(), key=lambda kv: -kv[1]["total"]):
            lines.append(
                f"| {name} | {cpu['total']} | {cpu['user']} | {cpu['system']} "
                f"| {above.get(name)} | {s['idle_cpu_percent_of_one_core'].get(name)} "
                f"| {s['rss_mb_at_end'].get(name)} |"
            )
        lines += [
            f"| **all** | **{sat['cpu_ms_per_order']}** | | "
            f"| {sat.get('cpu_ms_per_order_above_idle')} | | |",
            "",
        ]
        lines += _profile_md(s["profile"])
    return lines


def to_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    lines = [
        "# Benchmark results" + (" (BENCH_QUICK=1)" if results.get("quick") else ""),
        "",
        f"{m['date']} — {m['cpu_count']} CPUs ({m['platform']}), Python {m['python']}; {libs}.",
        f"Load average at start: {m['load_average_at_start']}. Reproduce: `make bench`.",
        "Ratios are measured in this same run; CPU per order from the OS's accounting.",
        "",
        *_summary_md(results),
    ]
    render = {
        "bench.serde_bench": _serde_md,
        "bench.loop_bench": _loop_md,
        "bench.registry_bench": _registry_md,
        "bench.saga_bench": _saga_md,
    }
    for name, figures in results["benchmarks"].items():
        if not figures["ok"]:
            lines += [f"### {name}: FAILED", "", f"`{figures['error']}`", ""]
        elif name in render:
            lines += render[name](figures)
        else:
            shown = {k: v for k, v in figures.items() if k != "ok"}
            lines += [f"### {name}", "", "```json", json.dumps(shown, indent=2), "```", ""]
        if figures["ok"] and "targets" in figures:
            met = ", ".join(
                f"{k}: {'met' if v else 'NOT met'}" for k, v in figures["targets"].items()
            )
            lines += [f"Targets of this benchmark: {met}.", ""]
    return "\n".join(lines)
