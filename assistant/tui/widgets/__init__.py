"""Widgets of the workstation, one per file."""
