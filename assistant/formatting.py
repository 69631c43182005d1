"""The clinical formatter a site's settings imply, built once and used by every way in.

``dictation.format_dictation`` is pure; this module supplies what it needs from the rest of the
configuration: the headings of the site's report templates (so "assessment colon" opens a
section) and the curated drug brand names of the lexicon (so "lasix" is written "Lasix").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assistant.config import Settings


def clinical_formatter(
    settings: Settings, templates: Mapping[str, Any] | None = None
) -> Callable[[str], str]:
    """A function raw dictated text -> text as a clinician writes it."""
    from assistant.dictation import format_dictation
    from assistant.pipeline import cached_lexicon
    from assistant.reports import all_headings, load_templates

    if templates is None:
        templates = load_templates(settings.reports.template_dirs)
    headings = all_headings(templates)
    brands = cached_lexicon(tuple(settings.vocab.extra_dirs)).brand_names
    style = settings.vocab.abbreviations

    def format_text(raw: str) -> str:
        return format_dictation(raw, headings=headings, brand_names=brands, abbreviations=style)

    return format_text
