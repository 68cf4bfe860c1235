"""Step 3 and Aurora Auto Scaling: the plan card shows a cluster's scalable targets and offers
their deregistration as its own tick; the review says which path each cluster takes and why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Static

from slrwizard.tui.app import WizardApp

from .helpers import card, lift_all_protection, on_screen, settle, tick, to_plan

ORDERS = "us-east-1/orders-prod"


@pytest.mark.shared_demo
async def test_autoscaling_is_shown_and_deregistered_only_with_its_tick(
    make_app: Callable[..., WizardApp],
) -> None:
    from slrwizard.tui.screens.review import ReviewScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_plan(pilot)
        orders = card(pilot, ORDERS)
        shown = " ".join(str(s.render()) for s in orders.query(".autoscaling").results(Static))  # type: ignore[attr-defined]
        assert "Aurora Auto Scaling: cluster:orders-prod readers 2-6" in shown
        # Only the autoscaled cluster has the tick.
        other = card(pilot, "eu-west-1/billing-aurora-pg")
        assert not list(other.query("Checkbox.deregister"))  # type: ignore[attr-defined]
        await lift_all_protection(pilot)
        await pilot.press("ctrl+n")
        await on_screen(pilot, "ReviewScreen")
        plan = app.session.plan
        assert plan is not None
        chosen = plan.choice(ORDERS)
        assert chosen is not None and chosen.deregister_autoscaling is False  # not by default
        await pilot.press("escape")
        await on_screen(pilot, "PlanScreen")
        await settle(pilot)
        await tick(pilot, ORDERS, "deregister")
        await pilot.press("ctrl+n")
        review = await on_screen(pilot, "ReviewScreen")
        assert isinstance(review, ReviewScreen)
        plan = app.session.plan
        assert plan is not None
        chosen = plan.choice(ORDERS)
        assert chosen is not None and chosen.deregister_autoscaling is True
        # What the review's steps table shows, step by step.
        steps = "\n".join(s.description for r in review.schedule for s in r.steps)
        assert "Deregister the Aurora Auto Scaling target of orders-prod" in steps
        assert "orders-prod and its 3 instances in one call" in steps
        assert "one by one: a member of global database payments-global" in steps
