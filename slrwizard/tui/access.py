"""Typed access to the running app's narrow side from widgets.

``Widget.app`` is typed as a plain ``App``; a few widgets need the app's modes (presenter, demo,
read-only) and its masking, which :class:`~slrwizard.tui.actions.WizardActions` declares. Widgets
see that protocol only, never the app's class (an import-linter contract in ``pyproject.toml``
holds screens and widgets to it). Step screens do not use this: the app hands each one its
``WizardActions`` when it builds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from slrwizard.tui.actions import WizardActions


def wizard_app(node: DOMNode) -> WizardActions:
    """The app ``node`` belongs to, seen through :class:`WizardActions`.

    Only ``WizardApp`` runs these widgets (mypy checks, where the app builds its screens, that it
    implements the protocol), so the cast states what is already true.
    """
    return cast("WizardActions", node.app)
