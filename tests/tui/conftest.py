"""Fixtures for the TUI tests: the demo sandbox behind ``connect``, a frozen clock, and helpers
that drive the walkthrough with the Pilot and wait by polling (never by bare sleeps)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest

from slrwizard.bootstrap import Options, Wiring, connect_wizard
from slrwizard.domain.wizard import Wizard
from slrwizard.tui.app import WizardApp
from slrwizard.tui.clock import FrozenClock

from .helpers import FROZEN, pin_sandbox_times

Connect = Callable[[], "tuple[Wizard, Wiring]"]


@pytest.fixture
def demo_connect() -> Iterator[Callable[..., Connect]]:
    """Factory of ``connect`` callables on a fresh demo sandbox (closed after the test)."""
    wirings: list[Wiring] = []

    def factory(*, read_only: bool = False, speed: float = 0.0, pin: bool = True) -> Connect:
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
    """A WizardApp on the demo sandbox with a frozen clock."""

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
