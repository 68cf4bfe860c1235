"""Helpers shared by the benchmark scripts: the local fake AWS, child processes, the result table.

Everything runs on 127.0.0.1: moto's ``ThreadedMotoServer`` in this process, the latency proxy in
front of it, and the program under test as a child process whose ``AWS_ENDPOINT_URL`` points at
the proxy. Nothing here is imported by the product.
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PYTHON = sys.executable
ACCOUNT = "123456789012"  # moto's default account
ROLE_NAME = "AWSServiceRoleForRDS"
ROLE_PATH = "/aws-service-role/rds.amazonaws.com/"

# 32 regions of the commercial partition (no GovCloud, no China): what a commercial account with
# every region enabled lists, for runs that pass --regions explicitly.
COMMERCIAL_REGIONS = [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-southeast-5",
    "ap-southeast-7",
]


PYCACHE = Path(tempfile.gettempdir()) / "slrwizard-bench-pycache"
"""Where children keep their bytecode caches (see :func:`fake_env`)."""


def fake_env(endpoint: str | None = None, *, pycache: bool = True, **extra: str) -> dict[str, str]:
    """The environment of a child process: fake credentials, no profile, no metadata service.

    With ``pycache`` (the default) the child keeps bytecode caches, as an installed slrwizard
    does (pip and pipx compile a package's modules when they install it; a checkout writes
    ``__pycache__`` on first import). A shell with ``PYTHONDONTWRITEBYTECODE`` set, as this
    machine and some CI images have, would otherwise make every run compile slrwizard's modules
    again (~25 ms) while boto3's and Textual's came compiled from their wheels: the floors and
    references would be measured compiled and the wizard not. The caches live in a directory of
    their own (``PYTHONPYCACHEPREFIX``); the first run of each command fills them, so every
    benchmark makes an unmeasured run first.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME")
    }
    if pycache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/nonexistent/slrwizard-bench/config",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent/slrwizard-bench/credentials",
        AWS_EC2_METADATA_DISABLED="true",
    )
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    env.update(extra)
    return env


def use_fake_credentials() -> None:
    """Same fake credentials for boto3 calls made by this process (seeding, warm-up)."""
    for key, value in fake_env().items():
        if key.startswith("AWS_"):
            os.environ[key] = value
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)


# -- child processes ---------------------------------------------------------------------------


@dataclass
class Child:
    """A finished child process: wall time, peak RSS (MB), output."""

    seconds: float
    max_rss_mb: float
    cpu_seconds: float
    """User + system CPU time of the child."""
    returncode: int
    stdout: str
    stderr: str
    started: float
    """``time.monotonic()`` at spawn (the proxy stamps requests on the same clock)."""


def run_child(
    argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 300
) -> Child:
    """Run ``argv``; wall time from spawn to exit, and the child's own peak RSS (``wait4``)."""
    out_path = f"/tmp/slrwizard-bench-{os.getpid()}-{time.monotonic_ns()}"
    with open(out_path + ".out", "w+b") as out, open(out_path + ".err", "w+b") as err:
        spawned = time.monotonic()
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), env=env, stdout=out, stderr=err, cwd=ROOT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.0005)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    for suffix in (".out", ".err"):
        Path(out_path + suffix).unlink(missing_ok=True)
    # Linux reports ru_maxrss in kilobytes.
    return Child(
        seconds,
        usage.ru_maxrss / 1024,
        usage.ru_utime + usage.ru_stime,
        proc.returncode,
        stdout,
        stderr,
        spawned,
    )


def median_of(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def repeat(times: int, measure: Callable[[], float]) -> list[float]:
    return [measure() for _ in range(times)]


# -- the fake AWS ------------------------------------------------------------------------------


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's ``ThreadedMotoServer`` on a free loopback port; yields its URL."""
    from moto.server import ThreadedMotoServer

    # moto logs every request, and a traceback for each action it does not implement.
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def boto_client(endpoint: str, service: str, region: str = "us-east-1") -> Any:
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=endpoint)


def create_role(endpoint: str) -> None:
    """Seed ``AWSServiceRoleForRDS`` as AWS names it (moto's own SLR call misnames it)."""
    iam = boto_client(endpoint, "iam")
    iam.create_role(
        RoleName=ROLE_NAME,
        Path=ROLE_PATH,
        AssumeRolePolicyDocument=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
            '{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        ),
    )


def seed_region_via_api(
    endpoint: str, region: str, clusters: int, members: int, instances: int, prefix: str = "b"
) -> None:
    """Clusters with ``members`` instances each, plus standalone instances, through the API."""
    rds = boto_client(endpoint, "rds", region)
    for c in range(clusters):
        cid = f"{prefix}-{region}-c{c}"
        rds.create_db_cluster(
            DBClusterIdentifier=cid,
            Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword="password123",
        )
        for m in range(members):
            rds.create_db_instance(
                DBInstanceIdentifier=f"{cid}-m{m}",
                DBClusterIdentifier=cid,
                Engine="aurora-postgresql",
                DBInstanceClass="db.r6g.large",
            )
    for i in range(instances):
        rds.create_db_instance(
            DBInstanceIdentifier=f"{prefix}-{region}-i{i}",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin1",
            MasterUserPassword="password123",
        )


def warm_up(endpoint: str, regions: Sequence[str], listed_too: bool = True) -> list[str]:
    """Make moto create its per-region backends now, not during the measurement.

    moto builds each region's EC2 and RDS backend on first use (EC2's default VPCs take ~0.3 s);
    AWS has no such cost, so it must not be charged to the program under test. Returns the
    regions ec2:DescribeRegions lists (warmed too when ``listed_too``).
    """
    listed = [r["RegionName"] for r in boto_client(endpoint, "ec2").describe_regions()["Regions"]]
    for region in sorted(set(regions) | (set(listed) if listed_too else set())):
        rds = boto_client(endpoint, "rds", region)
        rds.describe_db_clusters()
        rds.describe_db_instances()
    return listed


# -- the table ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a results table. ``passed`` is None for figures without a target."""

    name: str
    measured: str
    target: str = "-"
    passed: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: ""}[self.passed]


def print_table(title: str, rows: Sequence[Row], notes: Sequence[str] = ()) -> None:
    """A plain-text table: name | target | measured | pass."""
    headers = ("measure", "target", "measured", "pass")
    cells = [(r.name, r.target, r.measured, r.verdict) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = "+".join("-" * (w + 2) for w in widths)
    print(f"\n{title}")
    print(line)
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for c in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)))
    print(line)
    one, five, _ = os.getloadavg()
    print(f"  machine: {os.cpu_count()} cores, load average {one:.1f} (1 min) {five:.1f} (5 min)")
    for note in notes:
        print(f"  {note}")
    sys.stdout.flush()


def finish(rows: Sequence[Row], check: bool) -> int:
    """Exit status: with ``--check``, 1 when a target failed; otherwise always 0."""
    failed = [r.name for r in rows if r.passed is False]
    if failed:
        print(f"\n{len(failed)} target(s) missed: {', '.join(failed)}")
    else:
        print("\nEvery target met.")
    return 1 if (check and failed) else 0


def secs(value: float) -> str:
    return f"{value:.3f} s"


def ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"
