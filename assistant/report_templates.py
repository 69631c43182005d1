"""Report types: their section specs (TOML) and their Jinja2 templates, and rendering.

A report type is two files in a templates folder: ``<id>.toml`` (title, LOINC document type,
sections in order with the spoken headings that open each one) and ``<id>.j2`` (the layout).
Site folders named in the settings come before the bundled folder, so a hospital overrides a
type by dropping a file with the same id there, or adds one with a new id. See
``templates/reports/README.md`` for the format.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import TemplateError
from assistant.models import Report
from assistant.resources import search_path, templates_dir

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger(__name__)

FORMATS = ("txt", "md", "html")
BLANK = "—"  # how a missing header value (no MRN, not signed yet...) is printed
# Header values a template may use; each defaults to None so a caller passes only what it knows.
CONTEXT_KEYS = (
    "patient_name",
    "mrn",
    "birth_date",
    "encounter",
    "author",
    "dictated_at",
    "signed_at",
    "signed_by",
    "status",
)


@dataclass(frozen=True)
class SectionSpec:
    """One section a report type expects, and the spoken headings that open it."""

    name: str
    title: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    # Other sections that fulfil a required one ("assessment_and_plan" covers "plan").
    satisfied_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportTemplate:
    """A report type: its spec and where its files are."""

    id: str
    title: str
    loinc: str
    loinc_display: str
    sections: tuple[SectionSpec, ...]
    source: Path  # the .toml spec; the .j2 template sits next to it
    names: tuple[str, ...] = ()  # phrases that name the type in dictation ("discharge summary")
    keywords: tuple[str, ...] = ()  # words that hint at the type when headings do not decide
    specialties: tuple[str, ...] = ()
    inline: tuple[str, ...] = ()  # short sections rendered on one line
    requires_diagnosis_code: bool = True

    @property
    def template_path(self) -> Path:
        return self.source.with_suffix(".j2")

    @property
    def section_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sections)

    @property
    def required_sections(self) -> tuple[SectionSpec, ...]:
        return tuple(s for s in self.sections if s.required)

    def spec(self, name: str) -> SectionSpec | None:
        return next((s for s in self.sections if s.name == name), None)

    def headings(self) -> dict[str, SectionSpec]:
        """Every spoken heading (lower case) -> its section; the title counts as a heading."""
        table: dict[str, SectionSpec] = {}
        for spec in self.sections:
            for alias in (spec.title, *spec.aliases):
                table.setdefault(_normal(alias), spec)
        return table


# --- Loading ------------------------------------------------------------------------------------


def load_templates(template_dirs: Sequence[str | Path] = ()) -> dict[str, ReportTemplate]:
    """All report types: site folders first (they override by id), the bundled folder last."""
    found: dict[str, ReportTemplate] = {}
    for folder in search_path(templates_dir(), template_dirs):
        for spec_path in sorted(folder.glob("*.toml")):
            if spec_path.stem.startswith("_") or spec_path.stem in found:
                continue
            found[spec_path.stem] = load_template(spec_path)
    if not found:
        raise TemplateError("No report templates found (bundled templates/reports is missing)")
    return found


def load_template(spec_path: Path) -> ReportTemplate:
    """Read one ``<id>.toml`` spec; raise TemplateError naming the file for anything malformed."""
    try:
        data = tomllib.loads(spec_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise TemplateError(f"Cannot read report spec {spec_path}: {e}") from e
    try:
        return _template_from_dict(data, spec_path)
    except (KeyError, TypeError, ValueError) as e:
        raise TemplateError(f"Malformed report spec {spec_path}: {e}") from e


def _template_from_dict(data: dict[str, Any], spec_path: Path) -> ReportTemplate:
    report = data["report"]
    if not isinstance(report, dict):
        raise TypeError("[report] must be a table")
    report_id = _text(report, "id")
    if report_id != spec_path.stem:
        raise ValueError(f"id '{report_id}' must match the file name '{spec_path.stem}'")
    title, loinc = _text(report, "title"), _text(report, "loinc")
    sections = tuple(_section_from_dict(s) for s in data.get("sections", ()))
    if not sections:
        raise ValueError("at least one [[sections]] entry is needed")
    names = [s.name for s in sections]
    if len(set(names)) != len(names):
        raise ValueError("section names must be unique")
    if not spec_path.with_suffix(".j2").is_file():
        raise ValueError(f"template {spec_path.with_suffix('.j2').name} is missing")
    return ReportTemplate(
        id=report_id,
        title=title,
        loinc=loinc,
        loinc_display=_text(report, "loinc_display"),
        sections=sections,
        source=spec_path,
        names=_strings(report, "names"),
        keywords=_strings(report, "keywords"),
        specialties=_strings(report, "specialties"),
        inline=_strings(report, "inline"),
        requires_diagnosis_code=bool(report.get("requires_diagnosis_code", True)),
    )


def _section_from_dict(data: Any) -> SectionSpec:
    if not isinstance(data, dict):
        raise TypeError("each [[sections]] entry must be a table")
    name = _text(data, "name")
    if not name.isidentifier():
        raise ValueError(f"section name '{name}' must be a lower_case identifier")
    return SectionSpec(
        name=name,
        title=_text(data, "title"),
        required=bool(data.get("required", False)),
        aliases=_strings(data, "aliases"),
        satisfied_by=_strings(data, "satisfied_by"),
    )


def _text(table: dict[str, Any], key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{key}' must be a non-empty string")
    return value.strip()


def _strings(table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"'{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def get_template(
    report_type: str,
    template_dirs: Sequence[str | Path] | Mapping[str, ReportTemplate] = (),
) -> ReportTemplate:
    """One report type by id (from folders, or from already loaded templates)."""
    templates = (
        template_dirs if isinstance(template_dirs, Mapping) else load_templates(template_dirs)
    )
    if report_type not in templates:
        known = ", ".join(sorted(templates))
        raise TemplateError(f"Unknown report type '{report_type}'. Known types: {known}")
    return templates[report_type]


def all_headings(templates: Mapping[str, ReportTemplate] | Iterable[ReportTemplate]) -> list[str]:
    """Every spoken heading of every type, longest first (for dictation.format_dictation)."""
    values = list(templates.values() if isinstance(templates, Mapping) else templates)
    seen: dict[str, str] = {}
    for template in values:
        for spec in template.sections:
            for alias in (spec.title, *spec.aliases):
                seen.setdefault(_normal(alias), alias[:1].upper() + alias[1:])
    for heading in extra_headings({t.source.parent for t in values}):
        seen.setdefault(_normal(heading), heading)
    return sorted(seen.values(), key=lambda h: (-len(h), h.lower()))


def extra_headings(folders: Iterable[str | Path] = ()) -> tuple[str, ...]:
    """Common headings no type lists (``_headings.toml``): bundled, plus any in ``folders``."""
    found: dict[str, str] = {}
    for folder in [templates_dir(), *(Path(f) for f in folders)]:
        for heading in _read_extra_headings(Path(folder) / "_headings.toml"):
            found.setdefault(_normal(heading), heading)
    return tuple(found.values())


@functools.lru_cache(maxsize=32)
def _read_extra_headings(path: Path) -> tuple[str, ...]:
    if not path.is_file():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _strings(data, "headings")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as e:
        raise TemplateError(f"Malformed headings list {path}: {e}") from e


def _normal(heading: str) -> str:
    return " ".join(heading.lower().split())


# --- Rendering ----------------------------------------------------------------------------------


def render_report(
    report: Report,
    template: ReportTemplate,
    fmt: str = "txt",
    context: Mapping[str, Any] | None = None,
    template_dirs: Sequence[str | Path] = (),
) -> str:
    """Render a report as plain text, Markdown or a standalone HTML page.

    ``context`` carries the header values (see CONTEXT_KEYS); those not given are None and print
    as a dash. Any other name a template uses and nobody supplied fails loudly (StrictUndefined).
    """
    import jinja2

    if fmt not in FORMATS:
        raise TemplateError(f"Unknown format '{fmt}'. Use one of: {', '.join(FORMATS)}")
    # Site folders first, so a site's _layout/_macros restyle bundled types too.
    site = [p for p in search_path(templates_dir(), template_dirs) if p != templates_dir()]
    folders = (*site, template.source.parent, templates_dir())
    env = _environment(tuple(str(f) for f in folders), autoescape=fmt == "html")
    values = {key: None for key in CONTEXT_KEYS} | dict(context or {})
    values |= {
        "fmt": fmt,
        "report_type": report.report_type,
        "confidence": report.confidence,
        "title": template.title,
        "loinc": template.loinc,
        "loinc_display": template.loinc_display,
        "inline": set(template.inline),
        "sections": display_sections(report, template),
    }
    try:
        text = env.get_template(template.template_path.name).render(values)
    except jinja2.TemplateError as e:
        where = getattr(e, "name", None) or template.template_path.name
        raise TemplateError(f"Cannot render report template {where}: {e}") from e
    return _tidy(text) if fmt != "html" else text.strip() + "\n"


def display_sections(report: Report, template: ReportTemplate) -> list[dict[str, Any]]:
    """Sections in the template's order, for rendering.

    Repeated sections are joined; sections the template does not know stay right after the
    known section they followed when dictated; required sections nobody dictated are listed
    (``missing``) so the gap shows on the page.
    """
    order = {name: i for i, name in enumerate(template.section_names)}
    merged: dict[str, dict[str, Any]] = {}
    position: dict[str, tuple[int, int]] = {}
    last_known = -1
    for i, section in enumerate(report.sections):
        if section.name in order:
            last_known = order[section.name]
        key = section.name if section.known else f"{section.name}#{i}"
        if key in merged:
            merged[key]["text"] = "\n\n".join(t for t in (merged[key]["text"], section.text) if t)
            continue
        merged[key] = {
            "name": section.name,
            "title": section.title,
            "text": section.text,
            "known": section.known,
            "missing": False,
        }
        position[key] = (order.get(section.name, last_known), i)
    present = {s.name for s in report.sections}
    for spec in template.required_sections:
        if spec.name not in present and not present.intersection(spec.satisfied_by):
            merged[spec.name] = {
                "name": spec.name,
                "title": spec.title,
                "text": "",
                "known": True,
                "missing": True,
            }
            position[spec.name] = (order[spec.name], -1)
    return [merged[k] for k in sorted(merged, key=lambda k: position[k])]


@functools.lru_cache(maxsize=16)  # Jinja caches compiled templates per environment
def _environment(folders: tuple[str, ...], autoescape: bool) -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(dict.fromkeys(folders))),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["blank"] = blank
    return env


def blank(value: Any) -> str:
    """Header values: None or empty prints a dash, dates print without seconds."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and "T" in value:  # an ISO datetime from a sidecar or the store
        try:
            return blank(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _tidy(text: str) -> str:
    """At most one blank line in a row; the templates stay readable without whitespace tricks."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"
