"""The demo sandbox: moto in-process, plus botocore event handlers that make it behave like AWS.

``slrwizard --demo`` runs the real boto3 gateway against moto, so the code path is the live one.
Where moto is not AWS, the sandbox answers instead, from handlers on the boto3 session's event
emitter (this package never imports boto3 or botocore itself; the gateway hands the emitter in):

- ``before-parameter-build.<service>``: keep the caller's API parameters for the later events
  (``before-call`` only sees the serialised request);
- ``before-call.<service>``: answer or refuse a call by returning ``(http, parsed)``;
- ``after-call.<service>``: amend moto's successful answers in place.

The behaviours live in :mod:`~slrwizard.sandbox.regions`, :mod:`~slrwizard.sandbox.globaldb`,
:mod:`~slrwizard.sandbox.rds` and :mod:`~slrwizard.sandbox.iam`; this module wires them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from slrwizard.sandbox.autoscaling import AutoscalingBehaviour
from slrwizard.sandbox.backups import BackupsBehaviour
from slrwizard.sandbox.calls import Call, Reply
from slrwizard.sandbox.changes import ChangesBehaviour
from slrwizard.sandbox.clock import SimClock
from slrwizard.sandbox.globaldb import GlobalDbBehaviour
from slrwizard.sandbox.iam import IamBehaviour
from slrwizard.sandbox.limits import DEFAULT_SNAPSHOT_QUOTA, Limits
from slrwizard.sandbox.rds import RdsBehaviour
from slrwizard.sandbox.regions import DEFAULT_DENIED_REGIONS, RegionsBehaviour
from slrwizard.sandbox.related import RelatedBehaviour
from slrwizard.sandbox.seed import create_late_arrival, seed_account, seed_related
from slrwizard.sandbox.serial import serialize_moto
from slrwizard.sandbox.state import SimState

SERVICES = ("rds", "iam", "ec2", "sts", "kms")
"""botocore service ids (hyphenised, lower case) whose calls the sandbox watches."""

_PARAMS = "slrwizard.sandbox.params"
_NOTES = "slrwizard.sandbox.notes"
_ANSWERED = "slrwizard.sandbox.answered"
# Environment the demo must not inherit: a profile that may not exist, or an endpoint that would
# send the calls past moto's in-process interception.
_CLEARED_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_RDS",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_KMS",
    "AWS_SESSION_TOKEN",
)


_MOTO_SETTINGS = {
    # moto's documented switch: an EC2 backend (which moto builds for a region as soon as an
    # RDS instance is created there) then skips loading its default AMI catalogue, a megabyte
    # of JSON per region that the demo never reads.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
"""moto settings of the sandbox (environment variables moto reads), restored on stop; the
account id is added at start."""


class Behaviour(Protocol):
    """One group of AWS behaviours; each ignores the calls that are not its business."""

    def before_call(self, call: Call) -> Reply | None: ...

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None: ...


class Sandbox:
    """A believable AWS account in memory, for ``--demo`` and for tests.

    Usage, in the order that matters::

        sandbox = Sandbox(time_scale=1.0)
        sandbox.start()                       # before any boto3 session exists
        session = boto3.Session(region_name=sandbox.home_region)
        sandbox.install(session.events)       # before any client exists: clients copy handlers
        sandbox.seed(lambda service, region: session.client(service, region_name=region))

    Args:
        time_scale: multiplies every simulated duration (0: instant; 1: a few seconds each).
        account_id: the account moto pretends to be.
        denied_regions: regions where an SCP denies every RDS action.
        clock: a monotonic clock in seconds (tests may pass a fake one).
        late_arrival: at the first DeleteServiceLinkedRole, a (fictional) nightly CI job creates
            a cluster in eu-west-2, so the role deletion fails with a RoleUsageList as it would on
            AWS and the demo can show the way back to step 2. The ``--demo`` walkthrough sets it.
        snapshot_quota: manual snapshots allowed per region (``limits.snapshot_quota`` may be
            changed later), for DB instances and clusters alike; AWS's default is 100.
    """

    home_region: str = "us-east-1"

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        account_id: str = "481516234201",
        denied_regions: Iterable[str] = DEFAULT_DENIED_REGIONS,
        clock: Callable[[], float] = time.monotonic,
        late_arrival: bool = False,
        snapshot_quota: int = DEFAULT_SNAPSHOT_QUOTA,
    ) -> None:
        self.account_id = account_id
        self.clock = SimClock(time_scale, clock)
        self._state = SimState(self.clock)
        self.regions = RegionsBehaviour(account_id, denied_regions)
        self.limits = Limits(self._state, account_id, snapshot_quota)
        self._rds = RdsBehaviour(self._state, account_id, self.limits)
        self.related = RelatedBehaviour(self.clock, account_id)
        self.backups = BackupsBehaviour(account_id, self.limits, self.related)
        self.autoscaling = AutoscalingBehaviour(self._state, account_id)
        self._iam = IamBehaviour(
            self.clock,
            account_id,
            self._role_usage,
            on_first_deletion=(lambda: create_late_arrival(account_id)) if late_arrival else None,
        )
        self._behaviours: list[Behaviour] = [
            self.regions,
            self.related,
            GlobalDbBehaviour(self._state, account_id),
            self.limits,
            self.backups,
            ChangesBehaviour(self._state, account_id),
            self._rds,
            self.autoscaling,  # after the RDS behaviour: a deleted reader is a ghost by then
            self._iam,
        ]
        self._mock: Any = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def time_scale(self) -> float:
        """The factor applied to every simulated duration."""
        return self.clock.time_scale

    @property
    def denied_regions(self) -> frozenset[str]:
        """Regions where RDS answers ``AccessDenied`` (an SCP's explicit deny)."""
        return self.regions.denied

    @property
    def started(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._mock is not None

    def start(self) -> None:
        """Start moto in-process (idempotent).

        moto sets fake credentials in the environment; the sandbox also sets ``MOTO_ACCOUNT_ID``
        and hides variables that would steer boto3 away from moto, restoring them on
        :meth:`stop`. Create boto3 sessions only after this: moto hooks botocore when imported.
        """
        if self._mock is not None:
            return
        self._saved_env = {
            name: os.environ.get(name)
            for name in (*_CLEARED_ENV, "MOTO_ACCOUNT_ID", *_MOTO_SETTINGS)
        }
        for name in _CLEARED_ENV:
            os.environ.pop(name, None)
        os.environ["MOTO_ACCOUNT_ID"] = self.account_id
        os.environ.update(_MOTO_SETTINGS)
        from moto import mock_aws  # slow (about a second): only the demo and tests pay for it

        serialize_moto()
        mock = mock_aws()
        mock.start()
        self._mock = mock

    def stop(self) -> None:
        """Stop moto (its data is discarded), forget simulated state, restore the environment."""
        if self._mock is None:
            return
        self._mock.stop()
        self._mock = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        with self._state.lock:
            self._state.clear()
            self._iam.clear()
            self.related.clear()

    def install(self, events: Any) -> None:
        """Register the sandbox's handlers on a botocore ``HierarchicalEmitter``.

        Pass ``boto3.Session().events`` before creating clients: each client copies the session's
        handlers when it is created. Installing twice on one emitter is harmless.
        """
        for service in SERVICES:
            for event, handler in (
                ("before-parameter-build", self._keep_params),
                ("before-call", self._before_call),
                ("after-call", self._after_call),
            ):
                name = f"{event}.{service}"
                events.register(name, handler, unique_id=f"slrwizard-sandbox-{name}")

    def seed(self, client: Callable[[str, str], Any]) -> None:
        """Fill the account with the demo's role, clusters and instances.

        Args:
            client: returns a boto3 client for ``(service_name, region)``; the gateway makes it,
                ideally from the session the handlers are installed on.
        """
        seed_account(client, self.account_id, self.home_region)
        seed_related(client, self.related, self.account_id)

    def _role_usage(self) -> list[tuple[str, list[str]]]:
        """What AWS's role deletion task would find: databases, and the related resources
        AWS names in a RoleUsageList (proxies, deployments, integrations, shard groups)."""
        by_region = {region: list(arns) for region, arns in self._rds.role_usage()}
        for region, arns in self.related.role_usage():
            by_region.setdefault(region, []).extend(arns)
        return sorted(by_region.items())

    # -- botocore handlers (botocore calls them with keyword arguments only) --------------------

    def _call(self, event_name: str, context: dict[str, Any]) -> Call:
        _, service, operation = event_name.split(".", 2)
        return Call(
            service=service,
            operation=operation,
            region=str(context.get("client_region") or self.home_region),
            params=context.get(_PARAMS, {}),
            notes=context.setdefault(_NOTES, {}),
        )

    def _keep_params(self, params: Any, context: Any, **kwargs: Any) -> None:
        context[_PARAMS] = dict(params)

    def _before_call(self, context: Any, event_name: str, **kwargs: Any) -> Reply | None:
        call = self._call(event_name, context)
        with self._state.lock:
            self._state.expire()
            for behaviour in self._behaviours:
                reply = behaviour.before_call(call)
                if reply is not None:
                    context[_ANSWERED] = True
                    return reply
        return None

    def _after_call(
        self, http_response: Any, parsed: Any, context: Any, event_name: str, **kwargs: Any
    ) -> None:
        if context.get(_ANSWERED) or http_response.status_code >= 300:
            return
        call = self._call(event_name, context)
        with self._state.lock:
            for behaviour in self._behaviours:
                behaviour.after_call(call, parsed)
