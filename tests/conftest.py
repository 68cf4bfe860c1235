"""Shared fixtures: every test runs against moto, never AWS, with a clean environment."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# The slower tier: whole walkthroughs on moto, the drills (a moto server, child processes), the
# SVG snapshots and the benchmarks. They run in the default command; ``-m "not slow"`` leaves
# the fast tier (the domain on the in-memory fake, the gateway's contract, widgets).
SLOW = (
    "drills/",
    "engine/test_engine_demo_",
    "test_benchmarks_smoke.py",
    "tui/test_snapshots.py",
    "tui/test_walkthrough.py",
)

# Tests never reach AWS: fake credentials and no profile, before anything imports boto3.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",  # moto's conventional fake secret
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE="/nonexistent/slrwizard-tests/config",
    AWS_SHARED_CREDENTIALS_FILE="/nonexistent/slrwizard-tests/credentials",
    AWS_EC2_METADATA_DISABLED="true",
    # moto's documented switch (the sandbox sets it too): no default AMI catalogue per region.
    MOTO_EC2_LOAD_DEFAULT_AMIS="false",
)


def pytest_configure(config: pytest.Config) -> None:
    """The cyclic garbage collector of a test process: young collections 20,000 allocations
    apart instead of 700, full ones rarer (CPython's defaults are 700, 10, 10).

    A test process is unlike the app's: it builds hundreds of boto3 sessions, clients and moto
    accounts, one walkthrough after another, and keeps ~400,000 long-lived objects (botocore's
    and moto's models). With the defaults, full collections walked them every few tests: 64 s
    of the suite's ~270 s of CPU (``gc.callbacks``), 0.2-0.5 s each. With these thresholds the
    heaviest files (the account drill, the gateway tests, the Auto Scaling contract) take 21 %
    less CPU, for ~170 MB more memory per worker. Only the test processes are tuned: the app's
    own policy (``slrwizard/collector.py``) is unchanged and still what the TUI tests run.
    """
    gc.set_threshold(20_000, 20, 100)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """What ``-n auto`` means here: two workers per core (at most 8).

    About half of a walkthrough test's time is spent waiting, not computing: the Pilot waits
    for the app to go idle after every key, and the executor polls AWS (moto) the way it polls
    AWS. With one worker per core the cores sat idle ~40 % of the run; two per core fill those
    waits with another test's work (the suite on 2 cores: 3 min 24 s -> about 2 min 35 s). A
    worker peaks near 1 GB (each app connects, then freezes what is loaded, garbage included:
    ``slrwizard/collector.py``), so 4 GB on 2 cores. Tests that measure time do not run here
    (``benchmarks/``), so sharing a core cannot fail one; every wait in the tests polls for
    what it waits for, with a timeout far above what a loaded machine needs.
    """
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return min(2 * cores, 8)


@pytest.fixture(autouse=True, scope="session")
def _serial_moto() -> None:
    """In-process moto answers one request at a time, as the demo sandbox makes it do: its
    backends race under the wizard's threads (a CI run saw "OrderedDict mutated during
    iteration"), which AWS never does."""
    from slrwizard.sandbox.serial import serialize_moto

    serialize_moto()


@pytest.fixture(autouse=True)
def _state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Journals and crash logs go to a per-test folder, never the user's state directory."""
    state = tmp_path / "state"
    monkeypatch.setenv("SLRWIZARD_STATE_DIR", str(state))
    return state


@pytest.fixture
def moto_gateway() -> Iterator[object]:
    """A Boto3Gateway inside plain moto (no sandbox behaviour), with fast polling."""
    from moto import mock_aws

    from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings

    with mock_aws():
        gateway = Boto3Gateway(
            GatewaySettings(region="us-east-1", poll_seconds=0.01, max_attempts=3)
        )
        yield gateway
        gateway.settle()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slower tier by where it lives, so a new drill or walkthrough is slow without
    anyone remembering to say so."""
    root = Path(__file__).parent
    for item in items:
        where = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        if any(part in where for part in SLOW):
            item.add_marker(pytest.mark.slow)
