"""What every step screen shares: the header, the narration panel, the footer, the app's actions.

A step screen composes its body only; this base puts the step indicator above it, the narration
(presenter mode) and the key footer below it, and re-renders the screen's text when presenter mode
is toggled, so masking is applied everywhere without each screen wiring it up.

A screen is handed the app's narrow side (:class:`~slrwizard.tui.actions.WizardActions`) when
the app builds it, and never the app itself: what a screen may ask is listed there, and which
step follows is not a screen's business (it dismisses a result, or posts a message, and the app
decides).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from slrwizard.tui.steps import Step
from slrwizard.tui.widgets.header import StepHeader
from slrwizard.tui.widgets.narration import Narration

if TYPE_CHECKING:
    from slrwizard.domain.wizard import Wizard
    from slrwizard.tui.actions import WizardActions

ResultT = TypeVar("ResultT")
WIDE = 100
"""Columns from which the footer also shows the command palette's key."""


class WizardScreen(Screen[ResultT]):
    """A step of the walkthrough.

    Class attributes:
        STEP: the step shown in the header.
        SCENE: the key of the narration shown in presenter mode.
        HELP: what the step does, for the help screen.
    """

    STEP: ClassVar[Step]
    SCENE: ClassVar[str] = "start"
    HELP: ClassVar[str] = ""

    def __init__(self, actions: WizardActions) -> None:
        super().__init__()
        self.actions = actions
        """What this screen may read of the app and ask of it."""

    def compose(self) -> ComposeResult:
        yield StepHeader(self.STEP)
        yield from self.compose_body()
        yield Narration(self.SCENE)
        yield Footer(compact=True, show_command_palette=self._wide())

    def _wide(self) -> bool:
        """Room for the command palette's hint: under 100 columns the step's keys, help,
        presenter and quit need the footer's whole width (ctrl+p still works)."""
        return self.app.size.width >= WIDE

    def on_resize(self) -> None:
        footer = self.query_one(Footer)
        if footer.show_command_palette != self._wide():
            footer.show_command_palette = self._wide()
            footer.refresh(recompose=True)

    def compose_body(self) -> ComposeResult:
        """The step's own widgets, between header and footer."""
        yield from ()

    _binding_state: tuple[bool | None, ...] | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "presenter", self._presenter_changed, init=False)

    def _presenter_changed(self) -> None:
        self.refresh_view()

    @property
    def wizard(self) -> Wizard:
        """The connected wizard session (read it; ask for changes through :attr:`actions`)."""
        return self.actions.session

    def mask(self, text: str) -> str:
        """``text`` with account IDs masked when presenting."""
        return self.actions.mask(text)

    def narrate(self, extra: str = "", scene: str | None = None) -> None:
        """Update the narration panel (presenter mode) with a sentence about the moment."""
        self.query_one(Narration).show(scene or self.SCENE, self.mask(extra))

    def refresh_bindings(self) -> None:
        """Refresh the footer only when an action's availability changed.

        Screens call this after every update; the footer recomposes all its keys on each
        refresh, which during a deletion (an update per step) cost the UI real time.
        """
        state = tuple(self.check_action(action, ()) for action in self._actions())
        if state == self._binding_state:
            return
        self._binding_state = state
        super().refresh_bindings()

    @classmethod
    def _actions(cls) -> tuple[str, ...]:
        """The actions this screen binds (its class's ``BINDINGS``, as declared)."""
        return tuple(
            binding.action if isinstance(binding, Binding) else binding[1]
            for binding in cls.BINDINGS
        )

    def refresh_view(self) -> None:
        """Re-render text that may hold account IDs (presenter mode was toggled)."""

    def work_failed(self, name: str, error: BaseException | None) -> None:
        """A worker this screen may be waiting for failed; the app already explained it."""
