"""Shared fixtures: every test runs against moto, never AWS, with a clean environment."""

from __future__ import annotations

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
