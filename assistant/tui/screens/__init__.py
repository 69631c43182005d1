"""Screens of the workstation, one per file."""
