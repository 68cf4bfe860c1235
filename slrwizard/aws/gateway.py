"""The boto3 implementation of :class:`slrwizard.domain.ports.Gateway`.

A facade: each job lives in its own module, all sharing one :class:`~slrwizard.aws.session.
Transport` (clients, retries, error translation, the record of IAM actions):
:mod:`~slrwizard.aws.regions` (which regions), :mod:`~slrwizard.aws.scan` (what is in them),
:mod:`~slrwizard.aws.role` (the role) and :mod:`~slrwizard.aws.steps` (one plan step).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import boto3.session

from slrwizard.aws.regions import Regions
from slrwizard.aws.role import RoleApi
from slrwizard.aws.scan import Scanner
from slrwizard.aws.session import GatewaySettings, Transport, make_session
from slrwizard.aws.steps import StepRunner
from slrwizard.domain.models import (
    Caller,
    RegionList,
    RegionScan,
    Role,
    RoleDeletionStatus,
    RoleInspection,
)
from slrwizard.domain.plan import PlanStep
from slrwizard.domain.ports import StepResult

__all__ = ["Boto3Gateway", "GatewaySettings", "make_session"]


class Boto3Gateway:
    """Talks to AWS (or anything ``AWS_ENDPOINT_URL`` points at) through one boto3 session."""

    def __init__(
        self, settings: GatewaySettings, session: boto3.session.Session | None = None
    ) -> None:
        self.transport = Transport(
            settings, session or make_session(settings.profile, settings.region)
        )
        self._regions = Regions(self.transport)  # the caller's partition and its regions
        self._scanner = Scanner(self.transport, self._regions)
        self._role = RoleApi(self.transport)
        self._steps = StepRunner(self.transport)

    # -- what tests, the sandbox and the wiring reach for ---------------------------------------
    @property
    def settings(self) -> GatewaySettings:
        return self.transport.settings

    @settings.setter
    def settings(self, settings: GatewaySettings) -> None:
        """Polling and waiting read the new settings from then on (clients keep theirs)."""
        self.transport.settings = settings

    @property
    def session(self) -> boto3.session.Session:
        return self.transport.session

    @property
    def home_region(self) -> str:
        return self.transport.home_region

    @property
    def events(self) -> Any:
        """The botocore event emitter of the session (the demo sandbox hooks in here)."""
        return self.transport.events

    @property
    def actions_called(self) -> set[str]:
        """Every IAM action called so far (``slrwizard policy`` is tested against it)."""
        return self.transport.actions_called

    @property
    def poll_seconds(self) -> float:
        return self.transport.settings.poll_seconds

    def client(self, service: str, region: str | None = None) -> Any:
        """The gateway's own cached client (tests inspect AWS through it)."""
        return self.transport.client(service, region)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait for listings still in flight (see :meth:`Scanner.settle`)."""
        self._scanner.settle(timeout)

    # -- the port ---------------------------------------------------------------------------------
    def caller(self) -> Caller:
        ident = self._regions.caller_identity()
        return Caller(
            account=str(ident["Account"]),
            arn=str(ident["Arn"]),
            profile=self.settings.profile or os.environ.get("AWS_PROFILE"),
            home_region=self.home_region,
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
            demo=self.settings.demo,
        )

    def list_regions(self) -> RegionList:
        start = self._scanner.list_early if self.settings.early_listings else _no_early_start
        return self._regions.list_regions(start)

    def scan_regions(
        self,
        regions: Sequence[str],
        on_region: Callable[[RegionScan], None] | None = None,
    ) -> list[RegionScan]:
        return self._scanner.scan(regions, on_region)

    def inspect_role(self) -> RoleInspection:
        return self._role.inspect()

    def delete_role(self) -> str:
        return self._role.delete()

    def role_deletion_status(self, task_id: str) -> RoleDeletionStatus:
        return self._role.deletion_status(task_id)

    def create_role(self) -> Role:
        return self._role.create()

    def run_step(
        self,
        step: PlanStep,
        should_stop: Callable[[], bool] | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> StepResult:
        return self._steps.run(step, should_stop, on_status)

    def snapshot_exists(self, region: str, name: str, cluster: bool) -> bool:
        return self._steps.snapshot_status(region, name, cluster) is not None

    def snapshot_status(self, region: str, snapshot_id: str, cluster: bool) -> str | None:
        return self._steps.snapshot_status(region, snapshot_id, cluster)


def _no_early_start(known: Callable[[], Sequence[str]]) -> None:
    """No listing starts before the region list is in (``early_listings`` off)."""
