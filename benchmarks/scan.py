"""Benchmark 1, scan: ``slrwizard report --format json`` end to end, against a serial baseline.

moto's ``ThreadedMotoServer`` plays AWS, behind the latency proxy (``latency_proxy.py``: a fixed
delay per request, optional jitter and throttling). Some regions hold a few clusters and
instances. Both programs run as child processes with ``AWS_ENDPOINT_URL`` at the proxy and fake
credentials:

- the wizard: ``slrwizard report --format json`` (no ``--regions`` by default, so the region list
  comes from ec2:DescribeRegions: moto lists 38 regions, GovCloud and China included; with
  ``--regions N`` both programs get N commercial regions on the command line instead);
- the baseline: ``serial_scan.py``, the same calls one after another (AWS CLI / aws-nuke style).

The floor is what no program can beat: the longest chain of round trips that depend on each
other's answers, times the latency, plus the start of a Python process that imports boto3. For the
report that chain is the role's: iam:GetRole -> iam:GenerateServiceLastAccessedDetails (it needs
the role's ARN) -> iam:GetServiceLastAccessedDetails (it needs the job's ID), three round trips.
Beside it, ec2:DescribeRegions -> rds:Describe* is two (one page each). moto lacks Access
Advisor; the proxy answers those two calls as AWS does, with a job complete at its first read
(AWS's take longer, so the real floor is higher). The table also shows the report against the
two-round-trip floor of the region scan alone, for reference: that part is bound by the CPU
botocore spends per region (a client and two requests, ~10 ms here), not by the network.

    .venv/bin/python benchmarks/scan.py                   # 150 ms, 38 regions, 3 runs each
    .venv/bin/python benchmarks/scan.py --latency 0.05 --jitter 0.05 --throttle 0.02
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from _common import (
    BENCH,
    COMMERCIAL_REGIONS,
    PYTHON,
    Row,
    create_role,
    fake_env,
    finish,
    median_of,
    moto_server,
    print_table,
    run_child,
    secs,
    seed_region_via_api,
    use_fake_credentials,
    warm_up,
)
from latency_proxy import Hit, LatencyProxy

SLRWIZARD = [PYTHON, "-m", "slrwizard"]


def phases(hits: Sequence[Hit], spawned: float, seconds: float) -> tuple[float, float, float]:
    """(spawn -> first request, first request -> last answer, last answer -> exit)."""
    first = min(h.start for h in hits) - spawned
    last = max(h.end for h in hits) - spawned
    return first, last - first, seconds - last


BOTO3_START = [PYTHON, "-c", "import boto3"]


def version_start(repeats: int) -> float:
    """Median wall time of ``slrwizard --version``."""
    env = fake_env()
    return median_of([run_child([*SLRWIZARD, "--version"], env).seconds for _ in range(repeats)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Scan benchmark: slrwizard report vs a serial scan, behind a latency proxy.",
    )
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per request")
    parser.add_argument("--jitter", type=float, default=0.0, help="extra 0..J seconds per request")
    parser.add_argument("--throttle", type=float, default=0.0, help="throttling probability 0-1")
    parser.add_argument(
        "--regions",
        type=int,
        default=0,
        help="pass N commercial regions with --regions (default 0: ec2:DescribeRegions decides)",
    )
    parser.add_argument("--seeded-regions", type=int, default=6, help="regions holding resources")
    parser.add_argument("--clusters", type=int, default=2, help="clusters per seeded region")
    parser.add_argument("--members", type=int, default=2, help="instances per cluster")
    parser.add_argument(
        "--instances", type=int, default=1, help="standalone instances per seeded region"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each program (median)")
    parser.add_argument(
        "--live-moto",
        action="store_true",
        help="ask moto every time (default: replay its recorded answers to read-only calls, so "
        "moto's own CPU time, which AWS does not have, is not measured)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--skip-baseline", action="store_true", help="measure the wizard only (when profiling)"
    )
    parser.add_argument(
        "--timeline", action="store_true", help="print every request of the last wizard run"
    )
    args = parser.parse_args(argv)

    use_fake_credentials()
    with moto_server() as upstream:
        create_role(upstream)
        explicit = list(COMMERCIAL_REGIONS[: args.regions]) if args.regions else []
        listed = warm_up(upstream, explicit, listed_too=not explicit)
        regions = explicit or sorted(listed)
        seeded = [r for r in regions if r.count("-") == 2 and "gov" not in r][: args.seeded_regions]
        for region in seeded:
            seed_region_via_api(upstream, region, args.clusters, args.members, args.instances)
        version = version_start(args.repeat)

        region_flag = ["--regions", ",".join(explicit)] if explicit else []
        wizard_cmd = [*SLRWIZARD, "report", "--format", "json", *region_flag]
        serial_cmd = [PYTHON, str(BENCH / "serial_scan.py"), *region_flag]
        wizard_times: list[float] = []
        boto_times: list[float] = []  # the floor's process start, taken beside each report run
        wizard_cpu: list[float] = []
        serial_times: list[float] = []
        splits: list[tuple[float, float, float]] = []
        peaks: list[int] = []
        calls = throttled = 0
        found = ""
        with LatencyProxy(
            upstream,
            args.latency,
            args.jitter,
            args.throttle,
            throttle_services=frozenset({"rds"}),
            replay=not args.live_moto,
        ) as proxy:
            env = fake_env(proxy.url)
            # One unmeasured run of each: it records moto's answers (unless --live-moto) and
            # fills the children's bytecode caches (see _common.fake_env).
            proxy.delay, proxy.throttle = 0.0, 0.0
            run_child(wizard_cmd, env)
            run_child(serial_cmd, env)
            proxy.delay, proxy.throttle = args.latency, args.throttle
            for _ in range(args.repeat):
                # Right before each report: the machine's speed drifts (this start varied by 40 %
                # between runs of the benchmark), and the ratio must compare like with like.
                boto_times.append(run_child(BOTO3_START, fake_env()).seconds)
                proxy.stats.reset()
                wiz = run_child(wizard_cmd, env)
                if wiz.returncode not in (0, 3):
                    print(wiz.stderr, file=sys.stderr)
                    raise SystemExit(f"slrwizard report failed with exit code {wiz.returncode}")
                report = json.loads(wiz.stdout)
                if not report["role"]["role"]["access_advisor"]:
                    raise SystemExit(
                        "the report has no Access Advisor entries: "
                        f"{report['role']['role']['access_advisor_note']}"
                    )
                scanned = report["scan"]["regions"]
                n_clusters = sum(len(r["clusters"]) for r in scanned)
                n_instances = sum(len(r["instances"]) for r in scanned)
                found = f"{len(scanned)} regions, {n_clusters} clusters, {n_instances} standalone"
                wizard_times.append(wiz.seconds)
                wizard_cpu.append(wiz.cpu_seconds)
                splits.append(phases(proxy.stats.hits, wiz.started, wiz.seconds))
                peaks.append(proxy.stats.peak_in_flight)
                calls, throttled = proxy.stats.requests, proxy.stats.throttled
                timeline, spawned = list(proxy.stats.hits), wiz.started

                if args.skip_baseline:
                    continue
                serial = run_child(serial_cmd, env)
                if serial.returncode != 0:
                    print(serial.stderr, file=sys.stderr)
                    raise SystemExit("the serial baseline failed")
                serial_times.append(serial.seconds)
                base = json.loads(serial.stdout)
                if base["clusters"] != n_clusters:
                    raise SystemExit(
                        f"baseline found {base['clusters']} clusters, wizard {n_clusters}"
                    )

    if args.timeline:
        print("\nlast wizard run, seconds from spawn: start end service operation region")
        for hit in sorted(timeline, key=lambda h: h.start):
            print(
                f"  {hit.start - spawned:6.3f} {hit.end - spawned:6.3f} {hit.service:4} "
                f"{hit.operation:36} {hit.region}{' THROTTLED' if hit.throttled else ''}"
            )
    wizard, baseline = median_of(wizard_times), median_of(serial_times or [float("nan")])
    boto_start = median_of(boto_times)
    floor_chain = 3  # GetRole -> GenerateServiceLastAccessedDetails -> GetServiceLastAccessed...
    floor = floor_chain * args.latency + boto_start
    scan_floor = 2 * args.latency + boto_start  # DescribeRegions -> rds:Describe*
    before, network, after = (median_of([p[i] for p in splits]) for i in range(3))
    source = f"--regions ({len(explicit)} commercial)" if explicit else "ec2:DescribeRegions (moto)"
    rows = [
        Row("regions / resources found", found),
        Row("region list from", source),
        Row("fake AWS", "moto, live" if args.live_moto else "moto, answers replayed by the proxy"),
        Row(
            "latency per request",
            f"{args.latency * 1000:.0f} ms + 0..{args.jitter * 1000:.0f} ms jitter, "
            f"throttle {args.throttle:.0%}",
        ),
        Row(
            "process start: python -c 'import boto3' (beside each report)",
            f"{secs(boto_start)} ({', '.join(f'{t:.2f}' for t in boto_times)})",
        ),
        Row("process start: slrwizard --version", secs(version)),
        Row("serial baseline (median)", secs(baseline)),
        Row(
            "slrwizard report (median)",
            secs(wizard),
        ),
        Row("  runs", ", ".join(f"{t:.2f}" for t in wizard_times)),
        Row("  CPU time of the report (median)", secs(median_of(wizard_cpu))),
        Row("  requests / throttled / peak in flight", f"{calls} / {throttled} / {max(peaks)}"),
        Row("  spawn -> first request", secs(before)),
        Row("  first request -> last answer", secs(network)),
        Row("  last answer -> exit", secs(after)),
        Row("floor = 3 round trips (the role's) + boto3 process start", secs(floor)),
        Row("report / serial", f"{wizard / baseline:.3f}", "<= 0.15", wizard <= 0.15 * baseline),
        Row("report / floor", f"{wizard / floor:.2f}", "<= 1.5", wizard <= 1.5 * floor),
        Row("  for reference: region scan's floor (2 round trips + start)", secs(scan_floor)),
        Row("  for reference: report / region scan's floor", f"{wizard / scan_floor:.2f}"),
    ]
    print_table("Scan: slrwizard report --format json vs a serial scan", rows)
    return finish(rows, args.check)


if __name__ == "__main__":
    sys.exit(main())
