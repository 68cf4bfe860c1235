"""Benchmark 2, deletion pipeline: N clusters over M regions, deleted through Wizard/Executor.

The demo sandbox (``slrwizard.sandbox.Sandbox``: moto in-process, plus simulated AWS durations:
a cluster deletes in 4 s, an instance in 3 s, a stopped cluster starts in 3 s, each times
``--time-scale``) holds clusters of a few shapes: plain ones with 1-3 members, ones with deletion
protection, and stopped ones (start, wait, then delete: the longest chain). A ``before-send``
hook adds ``--latency`` to every call that reaches moto.

The wizard is driven as the TUI drives it: start, inspect, scan, the default plan (protection
lifted where needed, final snapshots kept), review, confirm, ``delete_resources()``. Only
``delete_resources()`` is timed. Each shape is also deleted alone, in a fresh sandbox, to get its
chain: the longest of those is the floor, their sum (over every cluster) is what a serial tool
would need.

    .venv/bin/python benchmarks/pipeline.py                  # 24 clusters over 6 regions
    .venv/bin/python benchmarks/pipeline.py --clusters 64 --regions 8
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from _common import ROOT, Row, finish, print_table, secs, use_fake_credentials

sys.path.insert(0, str(ROOT))

REGIONS = [
    "us-east-1",
    "eu-west-1",
    "ap-northeast-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-north-1",
    "us-east-2",
    "ap-south-1",
    "eu-west-2",
    "ap-northeast-2",
]


@dataclass(frozen=True)
class Shape:
    """What a cluster looks like; its deletion chain follows from it."""

    name: str
    members: int
    protected: bool = False
    stopped: bool = False


SHAPES = (
    Shape("1 member", 1),
    Shape("3 members, protected", 3, protected=True),
    Shape("2 members", 2),
    Shape("stopped, 2 members", 2, stopped=True),
)


def shape_of(index: int) -> Shape:
    return SHAPES[index % len(SHAPES)]


class Run:
    """One sandbox, one gateway, one wizard, seeded with the given clusters."""

    def __init__(self, time_scale: float, poll: float, latency: float) -> None:
        from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings, make_session
        from slrwizard.sandbox import Sandbox

        self.sandbox = Sandbox(time_scale=time_scale, denied_regions=())
        self.sandbox.start()
        settings = GatewaySettings(region="us-east-1", demo=True, poll_seconds=poll)
        self.gateway = Boto3Gateway(settings, make_session(None, "us-east-1"))
        self.sandbox.install(self.gateway.events)
        # Someone arranging the account, with a session of their own
        self.seeding = make_session(None, "us-east-1")
        self.sandbox.install(self.seeding.events)
        if latency > 0:

            def delay(**_: Any) -> None:
                time.sleep(latency)

            # First: moto answers in its own before-send handler, which ends the event.
            self.gateway.events.register_first("before-send", delay)

    def seed(self, clusters: Sequence[tuple[str, str, Shape]]) -> None:
        from slrwizard.sandbox import backends

        account = self.sandbox.account_id
        iam = self.seeding.client("iam", region_name="us-east-1")
        iam.create_role(
            RoleName="AWSServiceRoleForRDS",
            Path="/aws-service-role/rds.amazonaws.com/",
            AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}',
        )
        for region, ident, shape in clusters:
            rds = self.seeding.client("rds", region_name=region)
            rds.create_db_cluster(
                DBClusterIdentifier=ident,
                Engine="aurora-postgresql",
                MasterUsername="admin1",
                MasterUserPassword="password123",
                DeletionProtection=shape.protected,
            )
            for m in range(shape.members):
                rds.create_db_instance(
                    DBInstanceIdentifier=f"{ident}-m{m}",
                    DBClusterIdentifier=ident,
                    Engine="aurora-postgresql",
                    DBInstanceClass="db.r6g.large",
                )
            cluster = backends.rds(account, region).clusters[ident]
            cluster.status = "available"  # moto answers `creating` to the first describe
            if shape.stopped:
                rds.stop_db_cluster(DBClusterIdentifier=ident)

    def delete_all(self, regions: Sequence[str]) -> tuple[float, int, int]:
        """Walk the wizard to the deletion and time it; (seconds, resources, failed)."""
        from slrwizard.domain.wizard import Wizard

        wizard = Wizard(self.gateway, regions=list(regions), operator="bench")
        wizard.start()
        wizard.inspect()
        wizard.scan()
        plan = wizard.default_plan()
        plan = plan.model_copy(
            update={
                "resources": [
                    r.model_copy(update={"lift_protection": True}) for r in plan.resources
                ]
            }
        )
        problems = wizard.set_plan(plan)
        if problems:
            raise SystemExit(f"plan refused: {problems}")
        wizard.review()
        wizard.confirm(wizard.account)
        started = time.perf_counter()
        wizard.delete_resources()
        seconds = time.perf_counter() - started
        progress = wizard.progress
        failed = [k for k, p in progress.items() if not p.finished]
        for key in failed:
            print(f"  {key}: {progress[key].state.value} {progress[key].error}", file=sys.stderr)
        return seconds, len(progress), len(failed)

    def close(self) -> None:
        self.sandbox.stop()


def layout(clusters: int, regions: int) -> list[tuple[str, str, Shape]]:
    """Clusters spread round-robin over the regions, shapes round-robin too."""
    names = REGIONS[:regions]
    return [(names[i % len(names)], f"bench-c{i:03d}", shape_of(i)) for i in range(clusters)]


def solo(shape: Shape, args: argparse.Namespace) -> float:
    run = Run(args.time_scale, args.poll, args.latency)
    try:
        run.seed([("us-east-1", "solo-c000", shape)])
        seconds, _, failed = run.delete_all(["us-east-1"])
        if failed:
            raise SystemExit(f"solo run of shape {shape.name!r} failed")
        return seconds
    finally:
        run.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Deletion pipeline benchmark: N clusters over M regions in the sandbox.",
    )
    parser.add_argument("--clusters", type=int, default=24, help="clusters in all (N)")
    parser.add_argument(
        "--regions", type=int, default=6, help=f"regions (M, at most {len(REGIONS)})"
    )
    parser.add_argument("--time-scale", type=float, default=1.0, help="sandbox durations x this")
    parser.add_argument("--poll", type=float, default=0.25, help="gateway poll interval, seconds")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to each call")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    use_fake_credentials()

    used = sorted({shape_of(i) for i in range(args.clusters)}, key=SHAPES.index)
    chains = {shape: solo(shape, args) for shape in used}
    run = Run(args.time_scale, args.poll, args.latency)
    try:
        clusters = layout(args.clusters, min(args.regions, len(REGIONS)))
        run.seed(clusters)
        total, resources, failed = run.delete_all(sorted({r for r, _, _ in clusters}))
    finally:
        run.close()

    longest = max(chains.values())
    serial = sum(chains[shape] for _, _, shape in clusters)
    rows = [
        Row(
            "clusters / regions / members",
            f"{args.clusters} / {len({r for r, _, _ in clusters})} / "
            f"{sum(s.members for _, _, s in clusters)}",
        ),
        Row(
            "time scale / poll / latency",
            f"{args.time_scale} / {args.poll} s / {args.latency * 1000:.0f} ms",
        ),
        *(Row(f"  chain alone: {s.name}", secs(t)) for s, t in chains.items()),
        Row("longest single chain", secs(longest)),
        Row("sum of chains (serial)", secs(serial)),
        Row(
            "resources finished",
            f"{resources - failed} / {resources}",
            f"{resources} / {resources}",
            failed == 0,
        ),
        Row("pipeline total", secs(total)),
        Row("total / longest chain", f"{total / longest:.2f}", "<= 1.2", total <= 1.2 * longest),
        Row("total / sum", f"{total / serial:.3f}"),
    ]
    print_table("Deletion pipeline: Wizard.delete_resources() in the sandbox", rows)
    return finish(rows, args.check)


if __name__ == "__main__":
    sys.exit(main())
