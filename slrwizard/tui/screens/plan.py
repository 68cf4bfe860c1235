"""Step 3, first half: choose a final snapshot (or an explicit skip) and protection per resource.

Nothing changes in AWS here. The choices are kept by the app, so stepping back to the scan and
forward again does not lose what was typed (the screen reports them as ``ChoicesChanged``). The
plan is validated as it is edited (snapshot names by ``snapshot_id_problem``, the whole plan by
``DeletionPlan.problems``); once the wizard adopts it, the app puts the review screen up over this
one, which shows the exact steps before anything can be confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Static

from slrwizard.domain.models import Cluster, Instance
from slrwizard.domain.plan import DeletionPlan, default_plan, snapshot_id_problem
from slrwizard.tui.messages import ChoicesChanged, MovedOn, PlanAdopted
from slrwizard.tui.related_text import card_note, plan_lines
from slrwizard.tui.screens.base import WizardScreen
from slrwizard.tui.steps import DELETE
from slrwizard.tui.summary import Draft
from slrwizard.tui.text import plural
from slrwizard.tui.widgets.choice import ResourceChoice

if TYPE_CHECKING:
    from textual.events import ScreenResume

    from slrwizard.tui.actions import WizardActions


class PlanScreen(WizardScreen[Literal["back"]]):
    """Step 3 choices. Posts :class:`~slrwizard.tui.messages.PlanAdopted` once the wizard took
    the plan for review (the app shows the review over this screen, and removes both when the
    plan is confirmed); dismisses ``"back"`` to return to the scan."""

    STEP = DELETE
    SCENE = "plan"
    HELP = (
        "Each database keeps a final snapshot unless you tick 'Skip the final snapshot' for "
        "it. Protected databases need 'Lift deletion protection' ticked. Tab moves between "
        "fields; n (ctrl+n inside a name) reviews the plan; nothing is deleted before the "
        "typed confirmation."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        # n, as on every other step, from the list; inside a snapshot name n is a letter, so
        # ctrl+n reviews from there too.
        Binding("n", "review", "Next: review plan"),
        Binding("ctrl+n", "review", "Next: review plan", show=False, priority=True),
        Binding("escape", "back", "Back to clusters"),
    ]

    def __init__(self, actions: WizardActions) -> None:
        super().__init__(actions)
        self.busy = False
        self._pending_recompute = False
        self._pending: DeletionPlan | None = None
        self._in_review = False
        self.resume_note = ""

    def compose_body(self) -> ComposeResult:
        scan = self.wizard.scan_result
        assert scan is not None
        resources: list[Cluster | Instance] = [*scan.clusters, *scan.instances]
        drafts = self._initial_drafts()
        with Vertical(id="body"):
            yield Static(
                f"Choose what AWS keeps for each of the {plural(len(resources), 'database')}. "
                "Nothing is deleted on this screen.",
                classes="intro",
                markup=False,
            )
            if self.resume_note:
                yield Static(f"Resumed: {self.resume_note}", classes="warning", markup=False)
            with VerticalScroll(id="choices"):
                beside = plan_lines(scan)
                if beside:
                    yield Static(
                        "Besides the databases (removed first where AWS requires it; the review "
                        "shows each step):\n" + "\n".join(f"• {line}" for line in beside),
                        id="plan-beside",
                        markup=False,
                    )
                for resource in resources:
                    yield ResourceChoice(
                        resource, drafts[resource.key], note=card_note(scan, resource)
                    )
            yield Static(id="plan-status", markup=False)
            with Horizontal(classes="actions"):
                yield Static(id="plan-kept", markup=False)
                yield Button("Back", id="back")
                yield Button("Next: review the plan", id="review", variant="primary")

    def _initial_drafts(self) -> dict[str, Draft]:
        """The safe defaults (a final snapshot each), overlaid with earlier choices."""
        scan = self.wizard.scan_result
        assert scan is not None
        # The domain's default plan, timestamped by the app's clock so pictures are stable.
        plan = default_plan(self.wizard.account, scan, now=self.actions.clock.now())
        drafts = {
            r.key: Draft(snapshot=r.final_snapshot_id or "", skip=r.skip_final_snapshot)
            for r in plan.resources
        }
        prior = self.actions.prior
        if prior is not None and prior.plan is not None:
            # A resumed walkthrough keeps the choices confirmed before the interruption
            # (same snapshot names): only resources new since then start from the defaults.
            from slrwizard.domain.resume import adapt_plan

            adapted = adapt_plan(prior.plan, scan)
            self.resume_note = " ".join(adapted.lines())
            for r in adapted.plan.resources:
                drafts[r.key] = Draft(
                    snapshot=r.final_snapshot_id or "",
                    skip=r.skip_final_snapshot,
                    lift=r.lift_protection,
                    deregister=r.deregister_autoscaling,
                    backups=r.delete_automated_backups,
                )
        for key, earlier in self.actions.drafts.items():
            if key in drafts:
                drafts[key] = earlier
        return drafts

    def on_mount(self) -> None:
        super().on_mount()
        self._recompute()
        # The list, not its first field: keys typed out of habit (n, p, ?) act as on every
        # other step instead of landing in a snapshot name. Tab enters the fields.
        self.query_one("#choices", VerticalScroll).focus()

    @property
    def cards(self) -> list[ResourceChoice]:
        """The resource cards, in scan order."""
        return list(self.query(ResourceChoice).results(ResourceChoice))

    def _plan(self) -> tuple[DeletionPlan | None, list[str]]:
        """The plan as it stands, and what keeps it from being confirmed."""
        scan = self.wizard.scan_result
        assert scan is not None
        cards = self.cards
        problems = [f"{c.resource.key}: {c.problem}" for c in cards if c.problem]
        entries = [c.resource_plan() for c in cards]
        if any(entry is None for entry in entries):
            return None, problems
        plan = DeletionPlan(
            account=self.wizard.account, resources=[e for e in entries if e is not None]
        )
        for problem in plan.problems(scan):
            if "deletion protection" not in problem and problem not in problems:
                problems.append(problem)
        return plan, problems

    @on(ResourceChoice.Changed)
    def _changed(self) -> None:
        """Coalesce a burst of edits into one recomputation after the next refresh."""
        if not self._pending_recompute:
            self._pending_recompute = True
            self.call_after_refresh(self._recompute)

    def _recompute(self) -> None:
        self._pending_recompute = False
        cards = self.cards
        drafts = [c.draft for c in cards]
        self.post_message(
            ChoicesChanged({card.resource.key: d for card, d in zip(cards, drafts, strict=True)})
        )
        _, problems = self._plan()
        names = [d.snapshot for d in drafts if not d.skip]
        for card, draft in zip(cards, drafts, strict=True):
            twice = not draft.skip and names.count(draft.snapshot) > 1
            card.show_problem("This name is used for another database too." if twice else None)
        status = self.query_one("#plan-status", Static)
        kept = sum(not d.skip for d in drafts)
        skipped = len(drafts) - kept
        self.query_one("#plan-kept", Static).update(
            f"{plural(kept, 'final snapshot')} kept, {skipped} skipped."
        )
        status.display = bool(problems)
        if problems:
            if len(problems) == 1:
                status.update(f"To fix before review: {problems[0]}")
            else:
                lines = "".join(f"\n• {problem}" for problem in problems)
                status.update(f"To fix before review ({len(problems)} problems):{lines}")
        self.query_one("#review", Button).disabled = bool(problems) or self.busy
        if skipped:
            self.narrate(f"{plural(skipped, 'database')} will be deleted without a final snapshot.")
        else:
            self.narrate("Every database keeps a final snapshot.")

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return not self.busy
        return True

    @on(Button.Pressed, "#review")
    def action_review(self) -> None:
        """Adopt the plan and show it in full (nothing is deleted yet)."""
        plan, problems = self._plan()
        if plan is None or problems:
            self.notify(
                problems[0] if problems else "Fix the snapshot names first.",
                title="The plan is not ready",
                severity="warning",
                timeout=3,
            )
            for card in self.cards:
                if card.problem:
                    draft = card.draft
                    bad_name = not draft.skip and snapshot_id_problem(draft.snapshot)
                    card.query_one("Input" if bad_name else "Checkbox.lift").focus()
                    break
            return
        self.busy = True
        self.refresh_bindings()
        self._pending = plan
        self.actions.review_plan(self, plan)

    def on_moved_on(self, message: MovedOn) -> None:
        if message.what != "review":
            return
        self.busy = False
        self.refresh_bindings()
        assert self._pending is not None
        self._in_review = True
        self.post_message(PlanAdopted(self._pending))

    def on_screen_resume(self, event: ScreenResume) -> None:
        """Back from the review (its choices to change again): show the plan as it stands."""
        if self._in_review and self.is_current:  # not when the app is removing it (confirmed)
            self._in_review = False
            self._recompute()

    def work_failed(self, name: str, error: BaseException | None) -> None:
        if name == "review":
            self.busy = False
            self._recompute()
            self.refresh_bindings()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Back to the list of clusters (the choices are kept)."""
        if not self.busy:
            self.dismiss("back")
