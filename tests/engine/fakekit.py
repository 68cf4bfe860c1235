"""Running the wizard's deletions on the in-memory fake: what the executor and denial tests share.

Nothing here times anything: a test that needs one resource to be mid-step holds that step on the
fake (``FakeAccount.hold``) and looks at the account and at the records the wizard emitted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from enginekit import to_confirming
from fakes import ACCOUNT, FakeAccount, FakeGateway

from slrwizard.domain.executor import StepUpdate
from slrwizard.domain.plan import DeletionPlan, StepKind
from slrwizard.domain.records import Record, StepRecord, StepStatus
from slrwizard.domain.wizard import Wizard

EU, US, AP = "eu-west-1", "us-east-1", "ap-south-1"
MakeWizard = Callable[..., Wizard]


def new_wizard(account: FakeAccount, records: list[Record], regions: list[str]) -> Wizard:
    wizard = Wizard(
        FakeGateway(account),
        regions=regions,
        listeners=[records.append],
        operator="tester",
    )
    wizard.start()
    return wizard


def confirmed(wz: Wizard) -> None:
    """Inspect, scan, adopt the default plan with protection lifted, confirm."""
    to_confirming(wz)
    wz.confirm(ACCOUNT)


def confirmed_with(wz: Wizard, plan: DeletionPlan) -> None:
    """Confirm ``plan`` (the wizard is reviewing)."""
    assert wz.set_plan(plan) == []
    wz.review()
    wz.confirm(ACCOUNT)


class Hooks:
    """A step listener that runs an action once, when a resource's step reaches a status (in the
    executor's thread, between two steps, as someone else acting on the account would)."""

    def __init__(self) -> None:
        self.hooks: list[tuple[tuple[str, int, StepStatus], Callable[[], None]]] = []

    def after(
        self, resource: str, index: int, action: Callable[[], None], status: str = "done"
    ) -> None:
        self.hooks.append(((resource, index, StepStatus(status)), action))

    def __call__(self, update: StepUpdate) -> None:
        at = (update.resource, update.index, update.status)
        due = [h for h in self.hooks if h[0] == at]
        for hook in due:
            self.hooks.remove(hook)
            hook[1]()


class Running:
    """``delete_resources`` on its own thread, as the screens run it."""

    def __init__(self, wz: Wizard, listener: Callable[[StepUpdate], None] | None = None) -> None:
        self.result: list[bool] = []
        self.thread = threading.Thread(
            target=lambda: self.result.append(wz.delete_resources(listener)), daemon=True
        )
        self.thread.start()

    def finish(self, timeout: float = 5.0) -> bool:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the deletions did not finish"
        return self.result[0]


def steps(records: list[Record], resource: str | None = None) -> list[StepRecord]:
    """The step records the wizard emitted (for ``resource``), in order."""
    return [
        r for r in list(records) if isinstance(r, StepRecord) and resource in (None, r.resource)
    ]


def position(records: list[Record], resource: str, kind: StepKind, status: str) -> int:
    """Where the first record of ``resource``'s ``kind`` step in ``status`` is in the journal."""
    return next(
        n
        for n, r in enumerate(list(records))
        if isinstance(r, StepRecord)
        and (r.resource, r.step.kind, r.status.value) == (resource, kind, status)
    )


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``check`` until it holds: for what another thread is about to record."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def waiting_for(records: list[Record], resource: str, other: str) -> bool:
    return any(
        r.status is StepStatus.WAITING and r.note == f"waiting for {other}"
        for r in steps(records, resource)
    )
