"""What a step screen may read of the app and ask of it: the narrow side of the app.

A screen shows one step and asks for the AWS work that step needs; it does not decide which step
comes next, and it does not reach into the app's other state. This protocol is all a screen is
given (:class:`~slrwizard.tui.screens.base.WizardScreen` receives it when the app builds the
screen), so what a screen can do is read here, and the screens never import the app. What a
screen *tells* the app (a step is over, the operator wants the plan reviewed, the plan choices
changed) travels the other way: a typed ``dismiss`` result, or a message from
:mod:`slrwizard.tui.messages`.

Every ``target`` below is the screen that asked: the worker posts its answer there (see
:mod:`slrwizard.tui.work`). The work that outlives a screen (deletions, the role deletion)
reports to the app, which hands the news to the screen it put up to show it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.worker import Worker

    from slrwizard.domain.models import Caller
    from slrwizard.domain.plan import DeletionPlan
    from slrwizard.domain.resume import PriorSession
    from slrwizard.domain.wizard import Wizard
    from slrwizard.tui.clock import Clock
    from slrwizard.tui.summary import Draft, ResourceOutcome


class WizardActions(Protocol):
    """The app as a step screen sees it.

    The app's ``presenter`` and ``caller`` are Textual reactives: a screen that must follow them
    watches them on ``self.app`` (``Screen.watch`` takes the node, not this protocol).
    """

    # -- what a screen reads ----------------------------------------------------------------
    @property
    def presenter(self) -> bool:
        """Presenter mode: account IDs masked, narration shown."""
        ...

    @property
    def caller(self) -> Caller | None:
        """Who runs the wizard, once STS has answered."""
        ...

    @property
    def read_only(self) -> bool:
        """Walk through everything, offer nothing destructive."""
        ...

    @property
    def demo(self) -> bool:
        """The account is the embedded sandbox."""
        ...

    @property
    def clock(self) -> Clock:
        """The one source of "now" for display (frozen in tests and screenshots)."""
        ...

    @property
    def session(self) -> Wizard:
        """The connected wizard, for its state (scan result, plan, progress); screens read it
        and ask for changes through the methods below, which run in the app's workers."""
        ...

    @property
    def prior(self) -> PriorSession | None:
        """The interrupted walkthrough this one resumes, if any."""
        ...

    @property
    def drafts(self) -> Mapping[str, Draft]:
        """The operator's plan choices so far (the plan screen reports changes as
        :class:`~slrwizard.tui.messages.ChoicesChanged`)."""
        ...

    @property
    def outcomes(self) -> Sequence[ResourceOutcome]:
        """What every deletion round did, for the summary."""
        ...

    @property
    def last_scan_at(self) -> datetime | None:
        """When the latest scan finished, by :attr:`clock` (shown as proof on screen)."""
        ...

    @property
    def journal_path(self) -> Path | None:
        """Where this walkthrough's journal is written (None: no journal)."""
        ...

    def mask(self, text: str) -> str:
        """``text`` as the screen may show it: account IDs masked in presenter mode."""
        ...

    # -- what a screen asks (each runs in a worker and answers ``target``) --------------------
    def inspect_role(self, target: MessagePump) -> Worker[None]:
        """Read the role: answers ``RoleInspected``."""
        ...

    def recreate_role(self, target: MessagePump) -> Worker[None]:
        """CreateServiceLinkedRole: answers ``RoleRecreated``."""
        ...

    def finish_without_role(self, target: MessagePump) -> Worker[None]:
        """The role is absent, the walkthrough is complete: answers ``WizardFinished``."""
        ...

    def scan_regions(self, target: MessagePump, *, back: bool = False) -> Worker[None]:
        """Scan every enabled region (``back``: the regions AWS named): ``RegionsListed``,
        ``RegionScanned`` per region, ``ScanFinished``."""
        ...

    def accept_unscanned(self, target: MessagePump, *, then_to_role: bool = False) -> Worker[None]:
        """Go on without the regions the scan could not cover: answers ``MovedOn("accepted")``."""
        ...

    def skip_to_role(self, target: MessagePump) -> Worker[None]:
        """Nothing was found: answers ``MovedOn("skip-to-role")``."""
        ...

    def review_plan(self, target: MessagePump, plan: DeletionPlan) -> Worker[None]:
        """Adopt ``plan`` for confirmation (refused while it has problems):
        answers ``MovedOn("review")``."""
        ...

    def back_to_plan(self, target: MessagePump) -> Worker[None]:
        """Withdraw the plan from confirmation: answers ``MovedOn("back")``."""
        ...

    def confirm_plan(self, target: MessagePump, typed: str) -> Worker[None]:
        """Confirm with the typed account ID (a mismatch changes nothing):
        answers ``MovedOn("confirmed")``."""
        ...

    def retry_resource(self, key: str) -> Worker[None]:
        """Run one failed resource again from the step that failed."""
        ...

    def skip_resource(self, key: str) -> Worker[None]:
        """Leave one failed resource as it is."""
        ...

    def finish_deletions(self, target: MessagePump) -> Worker[None]:
        """Leave the deletions for the re-scan: answers ``MovedOn("deletions-finished")``."""
        ...

    def rescan_regions(self, target: MessagePump) -> Worker[None]:
        """Scan every region again (step 4): the same answers as :meth:`scan_regions`."""
        ...

    def delete_role(self) -> Worker[None]:
        """DeleteServiceLinkedRole, polled until AWS answers SUCCEEDED or FAILED."""
        ...

    def show_error(self, error: BaseException | None, *, then_exit: bool = False) -> None:
        """Explain ``error`` the way every other error is explained (a dialog, no traceback)."""
        ...
