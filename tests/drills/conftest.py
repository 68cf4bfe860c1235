"""Fixtures of the fault drills: a moto server that outlives the processes it serves, the drill
account, fast botocore retries, and a log of every mutating call that reached "AWS"."""

from __future__ import annotations

import io
import logging
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from drill_support import MUTATING, REGIONS, seed

from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.store import Journal

HERE = Path(__file__).parent


@dataclass
class ServerLog:
    """Mutating requests the server received from the wizard (its User-Agent says slrwizard)."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # moto's backends are not thread-safe behind the threaded werkzeug server: under load a
    # request racing another one answered an HTML 500 (seen once in CI, on DeleteDBInstance).
    # AWS has no such race, so the fake AWS answers one request at a time.
    serial: threading.Lock = field(default_factory=threading.Lock)

    def middleware(self, app: Any) -> Any:
        def logged(environ: dict[str, Any], start_response: Any) -> Any:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size) if size else b""
            environ["wsgi.input"] = io.BytesIO(body)
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            action = form.get("Action", "")
            if action in MUTATING and "slrwizard" in environ.get("HTTP_USER_AGENT", ""):
                with self.lock:
                    self.calls.append((action, form.get(MUTATING[action], "")))
            with self.serial:
                return list(app(environ, start_response))

        return logged

    def repeated(self) -> list[tuple[str, str]]:
        return sorted({c for c in self.calls if self.calls.count(c) > 1})


@dataclass
class Moto:
    """The ThreadedMotoServer of this test run, reset before each drill."""

    url: str
    log: ServerLog

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return boto3.client(service, region_name=region, endpoint_url=self.url)

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()
        self.log.calls.clear()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Moto]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    log = ServerLog()
    server._server.app = log.middleware(server._server.app)  # type: ignore[union-attr]
    host, port = server.get_host_and_port()
    yield Moto(f"http://{host}:{port}", log)
    server.stop()


@pytest.fixture
def moto(moto_server: Moto, monkeypatch: pytest.MonkeyPatch) -> Moto:
    """A clean moto server holding the drill account; this process's boto3 points at it."""
    moto_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    seed(moto_server.client)
    return moto_server


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retries without their pauses: the drills test what is retried, not how long.

    Both pauses are botocore's, in real seconds: the exponential backoff between attempts, and
    the adaptive mode's token bucket, which after a throttle paces a client down to 0.5
    request/s (40 s for the throttling drill instead of 2).
    """
    from botocore.retries import bucket, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.001)
    monkeypatch.setattr(bucket.TokenBucket, "acquire", lambda self, amount=1, block=True: True)


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.jsonl"


@dataclass
class Drill:
    """An in-process wizard on the moto server, with the journal and a gateway to hook."""

    wizard: Wizard
    gateway: Boto3Gateway
    journal: Path

    def records(self) -> list[Any]:
        from slrwizard.journal.store import read_journal

        return read_journal(self.journal).records


@pytest.fixture
def drill(moto: Moto, journal_path: Path, fast_retries: None) -> Drill:
    """A wizard ready for step 1 (started), journaling to ``journal_path``; hooks go on
    ``drill.gateway.events`` before the first RDS or IAM call."""
    gateway = Boto3Gateway(
        GatewaySettings(region="us-east-1", poll_seconds=0.02, max_attempts=4, read_timeout=5)
    )
    journal = Journal(journal_path).open()
    wizard = Wizard(gateway, regions=REGIONS, listeners=[journal.append])
    wizard.start()
    return Drill(wizard, gateway, journal_path)
