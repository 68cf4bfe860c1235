"""Fixtures for the TUI tests: the demo sandbox behind ``connect``, a frozen clock, and helpers
that drive the walkthrough with the Pilot and wait by polling (never by bare sleeps).

Most tests only look at the demo account: they inspect, scan, plan, review, open a dialog. They
share one seeded sandbox (:class:`SharedDemo`), each with its own wizard and journal, because
building and seeding a sandbox, and the first client of each region, cost about a second a test.
Tests that change the account (deletions, a role that is gone, a cluster created behind the
wizard's back) get a sandbox of their own, as before.

A test says it runs on the shared account with ``@pytest.mark.shared_demo`` (one place: the
marker decides which sandbox ``make_app`` connects to). moto keeps one set of backends per process
and nested ``mock_aws`` starts share them, so the shared sandbox is stopped (its account wiped)
before any other test of this package, and built again for the next marked test; the marked
tests are run first (:func:`pytest_collection_modifyitems`), so that happens about once per
process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from slrwizard.bootstrap import Options, Wiring, build, connect_wizard
from slrwizard.domain.wizard import Wizard
from slrwizard.tui.app import WizardApp
from slrwizard.tui.clock import FrozenClock

from .helpers import FROZEN, MUTATING_VERBS, pin_sandbox_times

Connect = Callable[[], "tuple[Wizard, Wiring]"]
SHARED = "shared_demo"
"""The marker of the tests that run on the shared demo account."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{SHARED}: runs on the shared demo account and must leave it unchanged"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """This package's shared-account tests first (a stable sort: the order is otherwise as
    collected), so each process seeds the shared account about once, not after every test
    with a sandbox of its own. Only the speed depends on it: any order passes."""
    here = Path(__file__).parent
    mine = [i for i, item in enumerate(items) if item.path.is_relative_to(here)]
    if not mine:
        return
    ordered = sorted(
        (items[i] for i in mine), key=lambda item: item.get_closest_marker(SHARED) is None
    )
    for index, item in zip(mine, ordered, strict=True):
        items[index] = item


class SharedDemo:
    """One seeded demo sandbox for the tests that do not change the account.

    Each test gets a new :class:`Wizard` (and journal) on the shared gateway, so the walkthrough
    starts from step 1 every time; only the account and the gateway's boto3 clients are shared.

    moto keeps one set of backends per process, and every ``mock_aws`` start or stop empties all
    of them: a test with a sandbox of its own wipes this one's account. So before each test the
    account is compared with what the seed left (:meth:`_intact`) and built again if it differs,
    and after each test :meth:`check_unchanged` fails the test if it called AWS to change
    anything: a shared account must stay as seeded for the next test, whatever the order.
    """

    def __init__(self) -> None:
        self._wiring: Wiring | None = None
        self._seeded: object = None

    def wiring(self) -> Wiring:
        """The shared wiring, seeded and untouched (rebuilt if something emptied moto)."""
        if self._wiring is None or not self._intact(self._wiring):
            self.close()
            wiring = build(Options(demo=True, demo_speed=0.0))
            self._seeded = _account(wiring)
            self._wiring = wiring
        return self._wiring

    def connect(self, *, read_only: bool = False) -> Connect:
        """A ``connect`` that starts a new walkthrough on the shared account (what
        :func:`slrwizard.bootstrap.connect_wizard` does, minus building the sandbox)."""
        from slrwizard.journal.store import Journal
        from slrwizard.paths import default_journal

        shared = self.wiring()

        def connect() -> tuple[Wizard, Wiring]:
            journal = Journal(default_journal()).open()
            wizard = Wizard(shared.gateway, read_only=read_only, listeners=[journal.append])
            wizard.start()
            pin_sandbox_times(wizard)
            # No seed client: a test on the shared account must not arrange it.
            return wizard, Wiring(shared.gateway, shared.sandbox, journal_path=journal.path)

        return connect

    def check_unchanged(self) -> None:
        """Fail if the test changed the shared account through the gateway."""
        if self._wiring is None:
            return
        self._wiring.gateway.settle()  # no listing of this test runs into the next one
        changed = sorted(
            a
            for a in self._wiring.gateway.actions_called
            if a.split(":")[1].startswith(MUTATING_VERBS)
        )
        if changed:
            self.close()
            raise AssertionError(
                f"a test on the shared demo account changed it ({changed}): "
                f"remove its @pytest.mark.{SHARED}"
            )

    def _intact(self, wiring: Wiring) -> bool:
        return _account(wiring) == self._seeded

    def close(self) -> None:
        if self._wiring is not None:
            self._wiring.gateway.settle()
            self._wiring.close()
            self._wiring = None


def _account(wiring: Wiring) -> object:
    """What the demo account holds, as the API lists it: role, clusters, instances, snapshots.

    Read with the gateway's own clients, which record no action.
    """
    from slrwizard.domain.models import ROLE_NAME
    from slrwizard.sandbox import CLUSTERS, INSTANCES

    client = wiring.gateway.client
    roles = client("iam", None).list_roles(PathPrefix="/aws-service-role/")["Roles"]
    found: list[tuple[str, ...]] = [
        ("role", r["RoleName"]) for r in roles if r["RoleName"] == ROLE_NAME
    ]
    for region in sorted({c.region for c in CLUSTERS} | {i.region for i in INSTANCES}):
        rds = client("rds", region)
        found += [
            (region, c["DBClusterIdentifier"], c["Status"], str(c["DeletionProtection"]))
            for c in rds.describe_db_clusters()["DBClusters"]
        ]
        found += [
            (region, i["DBInstanceIdentifier"], i["DBInstanceStatus"])
            for i in rds.describe_db_instances()["DBInstances"]
        ]
        found += [
            (region, s["DBClusterSnapshotIdentifier"])
            for s in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]
        ]
    return sorted(found)


@pytest.fixture(scope="package")
def shared_demo() -> Iterator[SharedDemo]:
    """The shared demo account of this package's tests, per process (each xdist worker).

    Package scope: moto stays started only while this package's tests run, so no test
    elsewhere finds its patching or its account id in the environment.
    """
    shared = SharedDemo()
    yield shared
    shared.close()


@pytest.fixture(autouse=True)
def shared_or_own(request: pytest.FixtureRequest, shared_demo: SharedDemo) -> Iterator[bool]:
    """True for a test marked ``shared_demo``; any other test finds moto as if nothing else
    ran (the shared sandbox is stopped first), and a marked one must leave the account as is."""
    shared = request.node.get_closest_marker(SHARED) is not None
    if not shared:
        shared_demo.close()
    yield shared
    if shared:
        shared_demo.check_unchanged()


@pytest.fixture
def demo_connect(shared_demo: SharedDemo, shared_or_own: bool) -> Iterator[Callable[..., Connect]]:
    """Factory of ``connect`` callables on the demo account: the shared one for a test marked
    ``shared_demo``, else a sandbox of the test's own (closed after the test)."""
    wirings: list[Wiring] = []

    def factory(*, read_only: bool = False, speed: float = 0.0, pin: bool = True) -> Connect:
        if shared_or_own:
            assert speed == 0.0 and pin, "the shared demo account is instant and pinned"
            return shared_demo.connect(read_only=read_only)

        def connect() -> tuple[Wizard, Wiring]:
            wizard, wiring = connect_wizard(
                Options(demo=True, demo_speed=speed), read_only=read_only
            )
            wirings.append(wiring)
            if pin:
                pin_sandbox_times(wizard)
            return wizard, wiring

        return connect

    yield factory
    for wiring in wirings:
        wiring.close()


@pytest.fixture
def make_app(demo_connect: Callable[..., Connect]) -> Callable[..., WizardApp]:
    """A WizardApp on the demo account (shared or its own, by the test's marker), with a frozen
    clock."""

    def factory(
        *, presenter: bool = False, read_only: bool = False, speed: float = 0.0
    ) -> WizardApp:
        return WizardApp(
            demo_connect(read_only=read_only, speed=speed),
            presenter=presenter,
            read_only=read_only,
            demo=True,
            clock=FrozenClock(FROZEN),
        )

    return factory


@pytest.fixture
def frozen_now() -> datetime:
    return FROZEN.astimezone(timezone.utc)


@pytest.fixture(autouse=True)
def collector_released() -> Iterator[None]:
    """No test leaves the cyclic collector held off (a scan screen that never let it go)."""
    from slrwizard.collector import CYCLIC_GC

    yield
    held = CYCLIC_GC.held
    while CYCLIC_GC.held:  # the next test starts clean either way
        CYCLIC_GC.release()
    assert not held, "the cyclic garbage collector was left held off"
