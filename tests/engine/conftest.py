"""Fixtures of the engine suite: a moto account with faults, a wizard on it, the demo sandbox."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.handlers
import pytest
from enginekit import KEY_ID, SECRET, TOKEN, Faults, Run, assert_clean, new_session, seed_role
from moto import mock_aws

from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
from slrwizard.cli import main
from slrwizard.domain.records import Record
from slrwizard.domain.wizard import Wizard


@pytest.fixture
def gw() -> Iterator[Boto3Gateway]:
    """The real boto3 gateway inside plain moto: the conftest's ``moto_gateway``, with a
    shared model loader (fast polling, 3 attempts per call)."""
    with mock_aws():
        settings = GatewaySettings(region="us-east-1", poll_seconds=0.01, max_attempts=3)
        gateway = Boto3Gateway(settings, new_session())
        yield gateway
        gateway.settle()


@pytest.fixture
def faults(gw: Any) -> Faults:
    """Faults for ``gw``, registered before any client exists."""
    return Faults(gw)


@pytest.fixture
def records() -> list[Record]:
    """What the wizard emitted (the journal's input), in order."""
    return []


@pytest.fixture
def make_wizard(gw: Any, faults: Faults, records: list[Record]) -> Callable[..., Wizard]:
    """A wizard on ``gw`` for the given regions, started (the caller is known)."""

    def make(
        regions: list[str] | None = None, *, read_only: bool = False, role: bool = True
    ) -> Wizard:
        if role:
            seed_role()
        wizard = Wizard(
            gw,
            regions=regions or ["eu-west-1", "us-east-1"],
            read_only=read_only,
            listeners=[records.append],
            operator="tester",
        )
        wizard.start()
        return wizard

    return make


@pytest.fixture
def demo() -> Iterator[tuple[Wizard, Any, Faults]]:
    """The ``--demo`` account through the real wiring, instant (``demo_speed=0``)."""
    from slrwizard.bootstrap import Options, connect_wizard

    wizard, wiring = connect_wizard(Options(demo=True, demo_speed=0))
    try:
        yield wizard, wiring, Faults(wiring.gateway)
    finally:
        wiring.close()


# -- the command line -------------------------------------------------------------------------
@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The distinctive credentials, and a config file that knows one profile, 'other'."""
    config = tmp_path / "config"
    config.write_text("[profile other]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    return config


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], creds: Path) -> Run:
    """``slrwizard ARGS`` in-process: (exit code, stdout, stderr), checked for leaks."""

    def run_main(*argv: str) -> tuple[int, str, str]:
        # `report` turns the cyclic collector off for the rest of its process, as it should in
        # its own process: collecting at exit would cost ~0.1 s (benchmarks/scan.py). Here the
        # process goes on, so the tests after this one get it back as it was.
        collecting = gc.isenabled()
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse's usage errors
            code = int(exit_.code or 0)
        finally:
            (gc.enable if collecting else gc.disable)()
        out, err = capsys.readouterr()
        assert_clean(out, err)
        return code, out, err

    return run_main


@pytest.fixture
def aws_hook(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Callable[..., Any]], None]:
    """Install a botocore handler in every session the CLI will create (the way moto does)."""

    def install(event: str, handler: Callable[..., Any]) -> None:
        monkeypatch.setattr(
            botocore.handlers,
            "BUILTIN_HANDLERS",
            [*botocore.handlers.BUILTIN_HANDLERS, (event, handler)],
        )

    return install


@pytest.fixture
def moto_account(creds: Path) -> Iterator[None]:
    """Plain moto, with the distinctive credentials in the environment."""
    with mock_aws():
        # moto swaps in its own fake keys; put the distinctive ones back on top
        os.environ.update(AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET)
        yield
