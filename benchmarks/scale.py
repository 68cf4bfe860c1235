"""Benchmark 4, scale: 1,000 clusters and 2,000 instances over 20 regions.

moto is seeded through its backends (the API would take a minute): per region, ``clusters/R``
Aurora clusters with ``--members`` instances each, and standalone instances to make up
``--instances`` in all (by default 1,000 clusters with one writer each, plus 1,000 standalone
instances: 2,000 instances, 2,000 table rows). The latency proxy adds ``--latency`` per request
and replays moto's recorded answers (a warm-up run records them), so moto's own CPU time, which
grows with every listed resource, is not charged to the wizard.

The child (``_scale_child.py``) scans with the real gateway in a Textual thread worker, feeds the
TUI's table as the scan screen does, types a key every ~25 ms meanwhile, then filters. Targets:

- scan + every row in the table <= 3 s over the floor (the chain of round trips: one, or two when
  DescribeDBInstances needs a second page, times the latency);
- peak RSS of the child <= 250 MB;
- keystrokes handled, while the scan runs and the table fills, a median <= 20 ms and at the
  slowest <= 100 ms after they were typed (the tables use Textual's public API only: each change
  draws the visible rows again).

With ``--baseline``, a second measured run makes and shows no row at all: the same scan and
keystrokes, to tell the table's cost (and its hold on the GIL, which the scan's threads need to
parse) from the gateway's.

    .venv/bin/python benchmarks/scale.py
    .venv/bin/python benchmarks/scale.py --clusters 100 --instances 200 --regions 4
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from _common import (
    ACCOUNT,
    BENCH,
    COMMERCIAL_REGIONS,
    PYTHON,
    Row,
    create_role,
    fake_env,
    finish,
    moto_server,
    print_table,
    run_child,
    secs,
    use_fake_credentials,
    warm_up,
)
from latency_proxy import LatencyProxy

PAGE = 100  # DescribeDBInstances' default MaxRecords (moto pages it; it does not page clusters)


def seed(regions: Sequence[str], clusters: int, members: int, instances: int) -> None:
    """Create everything on moto's backends directly (milliseconds per resource)."""
    from moto.backends import get_backend

    backends = get_backend("rds")[ACCOUNT]  # type: ignore[call-overload]
    standalone = max(0, instances - clusters * members)
    for r, region in enumerate(regions):
        rds = backends[region]
        for c in range(r, clusters, len(regions)):
            cid = f"scale-c{c:04d}"
            rds.create_db_cluster(
                {
                    "db_cluster_identifier": cid,
                    "engine": "aurora-postgresql",
                    "master_username": "admin1",
                    "master_user_password": "password123",
                    "tags": [],
                }
            )
            for m in range(members):
                rds.create_db_instance(
                    {
                        "db_instance_identifier": f"{cid}-m{m}",
                        "db_cluster_identifier": cid,
                        "engine": "aurora-postgresql",
                        "db_instance_class": "db.r6g.large",
                        "tags": [],
                    }
                )
            rds.clusters[cid].status = "available"  # moto says `creating` once otherwise
        for i in range(r, standalone, len(regions)):
            rds.create_db_instance(
                {
                    "db_instance_identifier": f"scale-i{i:04d}",
                    "engine": "postgres",
                    "db_instance_class": "db.t3.micro",
                    "allocated_storage": 20,
                    "master_username": "admin1",
                    "master_user_password": "password123",
                    "tags": [],
                }
            )


def _when(keys: list[tuple[float, float]]) -> str:
    return ", ".join(f"{at:.2f}: {latency * 1000:.0f}" for at, latency in keys)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Scale benchmark: scan, table, memory and keystrokes with 1,000 clusters.",
    )
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument(
        "--instances", type=int, default=2000, help="all instances, members included"
    )
    parser.add_argument("--members", type=int, default=1, help="instances per cluster")
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per request")
    parser.add_argument(
        "--live-moto",
        action="store_true",
        help="ask moto every time, without the recording run (default: replay its answers)",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also time the scan and the keystrokes without any table rows (the table's cost)",
    )
    parser.add_argument(
        "--no-gc-hold",
        action="store_true",
        help="leave the cyclic collector on during the scan (what holding it off gains)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    use_fake_credentials()
    regions = list(COMMERCIAL_REGIONS[: args.regions])
    standalone = max(0, args.instances - args.clusters * args.members)
    expect_rows = args.clusters + standalone

    with moto_server() as upstream:
        create_role(upstream)
        warm_up(upstream, regions, listed_too=False)
        seed(regions, args.clusters, args.members, args.instances)
        with LatencyProxy(upstream, delay=0.0, replay=not args.live_moto) as proxy:
            cmd = [
                PYTHON,
                str(BENCH / "_scale_child.py"),
                "--regions",
                ",".join(regions),
                "--expect-rows",
                str(expect_rows),
                "--filter",
                regions[-1],
                *(["--no-gc-hold"] if args.no_gc_hold else []),
            ]
            env = fake_env(proxy.url)
            if not args.live_moto:
                warm = run_child(cmd, env)  # records moto's answers
                if warm.returncode != 0:
                    print(warm.stderr, file=sys.stderr)
                    raise SystemExit("the scale child failed")
            proxy.delay = args.latency
            proxy.stats.reset()
            child = run_child(cmd, env)
            if child.returncode != 0:
                print(child.stderr, file=sys.stderr)
                raise SystemExit("the scale child failed")
            # The measured run's pages only (the baseline's run below would count them twice).
            pages = max(
                sum(
                    h.operation == "DescribeDBInstances" and h.region == r for h in proxy.stats.hits
                )
                for r in regions
            )
            bare = run_child([*cmd, "--no-table"], env) if args.baseline else None
            if bare is not None and bare.returncode != 0:
                print(bare.stderr, file=sys.stderr)
                raise SystemExit("the scale child failed (baseline)")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    floor = pages * args.latency
    total = result["rows_done_s"]
    rows = [
        Row("table widget", result["widget"]),
        Row(
            "regions / clusters / instances",
            f"{args.regions} / {result['clusters']} / {result['instances']}"
            + (f" (failed: {result['regions_failed']})" if result["regions_failed"] else ""),
        ),
        Row("table rows", f"{result['rows']} (expected {expect_rows})"),
        Row(
            "latency / floor (chain of round trips)",
            f"{args.latency * 1000:.0f} ms / {secs(floor)}",
        ),
        Row("scan (gateway.scan_regions)", secs(result["scan_s"])),
        Row("UI thread's CPU during the scan (GIL held)", secs(result["ui_cpu_s"])),
        Row("rows still being added after the scan", secs(result["render_after_scan_s"])),
        Row(
            "scan + every row in the table",
            secs(total),
            f"<= {secs(floor + 3)}",
            total <= floor + 3,
        ),
        Row(
            f"filter {result['filter_rows']} of {result['rows']} rows / clear it",
            f"{secs(result['filter_s'])} / {secs(result['unfilter_s'])}",
        ),
        Row(
            "peak RSS of the child (VmHWM)",
            f"{result['rss_mb']:.0f} MB",
            "<= 250 MB",
            result["rss_mb"] <= 250,
        ),
        Row(
            f"keystroke during the scan ({result['keys']} keys): median",
            f"{result['key_median_s'] * 1000:.1f} ms (p95 {result['key_p95_s'] * 1000:.1f} ms)",
            "<= 20 ms",
            result["key_median_s"] <= 0.02,
        ),
        Row(
            "keystroke during the scan: slowest",
            f"{result['key_max_s'] * 1000:.1f} ms",
            "<= 100 ms",
            result["key_max_s"] <= 0.1,
        ),
        Row("slowest keystrokes: when (s after the start): ms", _when(result["slowest_keys"])),
        Row(
            "cyclic GC until every row is shown: runs (full) / longest / total",
            f"{result['gc_collections']} ({result['gc_full']}) / "
            f"{result['gc_longest_s'] * 1000:.1f} ms / {result['gc_total_s'] * 1000:.0f} ms",
        ),
    ]
    if bare is not None:
        base = json.loads(bare.stdout.strip().splitlines()[-1])
        rows += [
            Row("baseline, no table: scan", secs(base["scan_s"])),
            Row(
                "baseline, no table: keystroke median / p95 / slowest",
                f"{base['key_median_s'] * 1000:.1f} / {base['key_p95_s'] * 1000:.1f} / "
                f"{base['key_max_s'] * 1000:.1f} ms",
            ),
            Row("baseline, no table: slowest keystrokes", _when(base["slowest_keys"])),
        ]
    print_table("Scale: 1,000 clusters in the scan, the table and the keyboard", rows)
    return finish(rows, args.check)


if __name__ == "__main__":
    sys.exit(main())
