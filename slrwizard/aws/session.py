"""The gateway's connection to AWS: settings, the boto3 session, and the one way calls are made.

Every AWS call of the gateway goes through :class:`Transport` (``call``, ``paginate`` or
``wait``), so it is retried by botocore's ``adaptive`` mode, its IAM action is recorded
(``slrwizard policy`` is tested against that record) and its failure is translated into a typed
domain error. Only public boto3/botocore APIs are used: a botocore release may change anything
else, and we do not pin botocore.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3.session
import botocore.loaders
import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError
from pydantic import BaseModel, ConfigDict

from slrwizard.aws.errors import error_code, translate
from slrwizard.domain import errors as e

_THROTTLES = {"Throttling", "ThrottlingException", "RequestLimitExceeded"}


class GatewaySettings(BaseModel):
    """Tuning of the AWS client: timeouts, retries, polling and concurrency."""

    model_config = ConfigDict(frozen=True)

    profile: str | None = None
    region: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 8
    """Total attempts per call, including the first (botocore 'adaptive' retry mode)."""
    poll_seconds: float = 15.0
    """Delay between polls of a deletion, a start or the role's deletion task."""
    settle_seconds: float = 2.0
    """Delay before the first poll after a change (at most ``poll_seconds``): AWS may still
    describe the old state for a moment after accepting a change (terraform-provider-aws waits
    ~30 s after a promotion before its first read). Short, because every wait's condition is
    one a stale read cannot meet (protection off and not ``modifying``; no replication source;
    no longer listed by the global database; gone): the delay saves a wasted read, it does not
    guard correctness. 10 s here made each wait of the moto-backed drills cost 10 s."""
    wait_timeout: float = 3600.0
    """How long to wait for one resource to reach a state before giving up on it."""
    max_workers: int = 32
    """Connections per client (one client per service and region), for the concurrent calls of a
    plan's resources in that region."""
    demo: bool = False
    early_listings: bool = True
    """Start the scan's listings in every region of the partition while DescribeRegions is in
    flight (:meth:`~slrwizard.aws.scan.Scanner.list_early`): one round trip instead of two on a
    real account. Off for the demo sandbox, which answers in-process: there is no round trip to
    save, only the CPU of building clients for the regions that turn out not to be enabled."""


def make_session(profile: str | None, region: str | None) -> boto3.session.Session:
    """A plain boto3 session from the standard credential chain, errors explained.

    Plain on purpose: botocore's own models, loader and parsers, so a botocore upgrade brings
    its new fields and regions with it instead of silently losing them.
    """
    try:
        core = botocore.session.Session()
        core.register_component("data_loader", _models())
        return boto3.session.Session(
            botocore_session=core, profile_name=profile, region_name=region
        )
    except Exception as exc:  # ProfileNotFound and friends
        raise translate(exc, "configuration") from None


_LOADER_LOCK = threading.Lock()
_LOADER: list[botocore.loaders.Loader] = []


def _models() -> botocore.loaders.Loader:
    """botocore's own loader of its service models, one per process (``create_loader``).

    Each session otherwise decodes the RDS, EC2 and IAM models again (megabytes of JSON, a few
    tenths of a second): the demo builds a second session to seed its account, and the tests
    build hundreds. The loader only reads botocore's files, so sharing it changes nothing else.
    """
    with _LOADER_LOCK:
        if not _LOADER:
            _LOADER.append(botocore.loaders.create_loader())
        return _LOADER[0]


def client_config(settings: GatewaySettings) -> Config:
    """The one botocore configuration of every client the gateway makes."""
    return Config(
        # total_max_attempts counts the first call; botocore's max_attempts would not.
        retries={"mode": "adaptive", "total_max_attempts": settings.max_attempts},
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_pool_connections=max(10, settings.max_workers),
        user_agent_extra="slrwizard",
    )


class Transport:
    """Clients per (service, region), and the calls made with them.

    ``settings`` may be replaced while the transport lives (a drill shortens the polls of a
    running wizard); each wait reads it afresh.
    """

    def __init__(self, settings: GatewaySettings, session: boto3.session.Session) -> None:
        self.settings = settings
        self.session = session
        self.home_region = session.region_name or settings.region or "us-east-1"
        self._config = client_config(settings)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        # Its own lock: recording an action must not wait for a client being built (3-15 ms).
        self._actions_lock = threading.Lock()
        self.actions_called: set[str] = set()

    @property
    def events(self) -> Any:
        """The botocore event emitter of the session (the demo sandbox hooks in here)."""
        return self.session.events

    def clients(self) -> list[Any]:
        """Every client made so far (a test hooks their events as well as the session's)."""
        with self._lock:
            return list(self._clients.values())

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client; boto3 sessions are not thread-safe when creating clients."""
        key = (service, region or self.home_region)
        cached = self._clients.get(key)  # no lock: a scan must not queue behind a client build
        if cached is not None:
            return cached
        with self._lock:
            if key not in self._clients:
                try:
                    client = self.session.client(
                        service,  # type: ignore[call-overload]
                        region_name=key[1],
                        config=self._config,
                    )
                    if not any(s == service for s, _ in self._clients):
                        _load_models_once(client)
                except Exception as exc:
                    raise translate(exc, f"{service}:client", region=key[1]) from None
                self._clients[key] = client
            return self._clients[key]

    def _action(self, service: str, operation: str) -> str:
        action = f"{service}:{operation}"
        with self._actions_lock:
            self.actions_called.add(action)
        return action

    def call(
        self, service: str, operation: str, region: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """Call ``operation`` (CamelCase) and return its answer, or raise a WizardError."""
        client = self.client(service, region)
        action = self._action(service, operation)
        method = getattr(client, xform_name(operation))
        try:
            return dict(method(**params))
        except Exception as exc:
            raise translate(exc, action, region=region) from None

    def paginate(
        self, service: str, operation: str, key: str, region: str | None = None, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every item under ``key`` across all pages (botocore paginators)."""
        client = self.client(service, region)
        action = self._action(service, operation)
        paginator = client.get_paginator(xform_name(operation))
        try:
            for page in paginator.paginate(**params):
                yield from page.get(key, [])
        except Exception as exc:
            raise translate(exc, action, region=region) from None

    def wait(
        self,
        service: str,
        waiter_name: str,
        region: str,
        should_stop: Callable[[], bool] | None = None,
        **params: Any,
    ) -> None:
        """Wait with a botocore waiter, one attempt at a time so that a stop request is heard
        (a waiter's own loop cannot be interrupted), with our own delay between attempts."""
        client = self.client(service, region)
        waiter = client.get_waiter(waiter_name)
        operation = waiter.config.operation
        action = self._action(service, operation)
        deadline = time.monotonic() + self.settings.wait_timeout
        if sleep_or_stop(self.first_poll_delay, should_stop):
            raise e.GuardError("Stopped while waiting, at the operator's request.")
        while True:
            try:
                waiter.wait(**params, WaiterConfig={"Delay": 0, "MaxAttempts": 1})
                return
            except WaiterError as exc:
                last, reason = exc.last_response or {}, str(exc.kwargs.get("reason"))
                if "Error" in last and "Max attempts" not in reason:
                    if error_code(ClientError(last, operation)) not in _THROTTLES:
                        raise translate(
                            ClientError(last, operation), action, region=region
                        ) from None
                    # throttled: botocore already retried; keep polling
                elif "terminal failure" in reason:
                    raise e.InvalidStateError(
                        f"{action} in {region}: the resource reached a state that will never "
                        f"become what we wait for ({reason}).",
                        code="WaiterFailure",
                    ) from None
            except Exception as exc:
                raise translate(exc, action, region=region) from None
            if time.monotonic() > deadline:
                raise e.UnreachableError(
                    f"Gave up waiting ({waiter_name}) in {region} after "
                    f"{self.settings.wait_timeout:.0f} s.",
                    code="WaitTimeout",
                )
            if sleep_or_stop(self.settings.poll_seconds, should_stop):
                raise e.GuardError("Stopped while waiting, at the operator's request.")

    @property
    def first_poll_delay(self) -> float:
        """Seconds between a change and the first read that checks it."""
        return min(self.settings.settle_seconds, self.settings.poll_seconds)

    def poll_until(
        self,
        what: str,
        region: str,
        done: Callable[[], bool],
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        """Poll ``done`` (which describes something) after the settle delay, then every
        ``poll_seconds``, until it is true; the waits of changes no botocore waiter covers."""
        deadline = time.monotonic() + self.settings.wait_timeout
        delay = self.first_poll_delay
        while True:
            if sleep_or_stop(delay, should_stop):
                raise e.GuardError("Stopped while waiting, at the operator's request.")
            if done():
                return
            if time.monotonic() > deadline:
                raise e.UnreachableError(
                    f"Gave up waiting until {what} in {region} after "
                    f"{self.settings.wait_timeout:.0f} s.",
                    code="WaitTimeout",
                )
            delay = self.settings.poll_seconds


def _load_models_once(client: Any) -> None:
    """Load the service's paginator and waiter definitions now, on this one thread.

    botocore's loader caches what it has read, without a lock: when 70 threads paginated for the
    first time at once, each of them read the same files again (~1 s of CPU in a 38-region scan,
    benchmarks/scan.py). Read once here, through the client's public API, they are cached for
    every client of the service.
    """
    operations = list(client.meta.method_to_api_mapping)
    if operations:
        client.can_paginate(operations[0])
    client.waiter_names  # noqa: B018 - the property reads the waiter definitions


def sleep_or_stop(seconds: float, should_stop: Callable[[], bool] | None) -> bool:
    """Sleep in short slices; True if a stop was requested meanwhile."""
    end = time.monotonic() + seconds
    while True:
        if should_stop is not None and should_stop():
            return True
        left = end - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(0.2, left))
