"""Wizard step screens."""
