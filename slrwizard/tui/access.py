"""Typed access to the running :class:`~slrwizard.tui.app.WizardApp` from widgets.

``Widget.app`` is typed as a plain ``App``; a few widgets need the app's modes (presenter, demo,
read-only) and its masking. The import happens at call time, which keeps ``widgets`` importable
without a cycle through ``app``. Step screens do not use this: the app hands each one its narrow
side, :class:`~slrwizard.tui.actions.WizardActions`, when it builds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from slrwizard.tui.app import WizardApp


def wizard_app(node: DOMNode) -> WizardApp:
    """The app ``node`` belongs to, as a WizardApp."""
    from slrwizard.tui.app import WizardApp

    app = node.app
    if not isinstance(app, WizardApp):  # pragma: no cover - a programming error
        raise TypeError("slrwizard widgets only run inside WizardApp")
    return app
