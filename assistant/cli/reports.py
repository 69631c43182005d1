"""`assistant` commands: report and templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main

_HEADER_KEYS = ("patient_name", "mrn", "birth_date", "encounter", "author", "dictated_at")


@main.command("report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--type", "report_type", help="Report type id (see `assistant templates`).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "md", "html"]),
    default="txt",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@click.pass_obj
def report_command(
    settings: Any, file: Path, report_type: str | None, fmt: str, out: Path | None
) -> None:
    """Turn a dictation (audio, or a .txt transcript) into a rendered report.

    Without --type the best report type is picked from the dictated headings and the
    confidence is printed on stderr. Header values (patient_name, mrn, birth_date, encounter,
    author, dictated_at) are read from a FILE.json sidecar when there is one.

    \b
    Examples:
      assistant report samples/audio/radiology_ct_abdomen.txt
      assistant report visit.m4a --type soap --format html --out visit.html
    """
    import json

    from assistant.formatting import clinical_formatter
    from assistant.reports import (
        build_report,
        get_template,
        load_templates,
        render_report,
    )

    templates = load_templates(settings.reports.template_dirs)
    if report_type is not None:
        get_template(report_type, templates)  # unknown type: fail before any transcription
    sidecar = file.with_suffix(".json")
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
        raw = file.read_text(encoding="utf-8") if file.suffix.lower() == ".txt" else ""
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError is a ValueError
        raise click.ClickException(f"Cannot read {file} or its sidecar: {e}") from e
    if not isinstance(meta, dict):
        raise click.ClickException(f"Sidecar {sidecar} must hold a JSON object")
    if file.suffix.lower() != ".txt":
        from assistant.pipeline import transcribe_medical
        from assistant.transcribe import WhisperTranscriber

        transcriber = WhisperTranscriber(settings.transcription)
        specialty = meta.get("specialty")
        raw = transcribe_medical(transcriber, file, settings, report_type, specialty).text
    text = clinical_formatter(settings, templates)(raw)
    report = build_report(text, report_type, templates)
    if report_type is None:
        chosen = f"{report.report_type} (confidence {report.confidence:.2f})"
        click.echo(f"Report type: {chosen}", err=True)
    context = {key: meta.get(key) for key in _HEADER_KEYS} | {"status": "draft"}
    rendered = render_report(
        report, templates[report.report_type], fmt, context, settings.reports.template_dirs
    )
    if out is None:
        click.echo(rendered, nl=False)
    else:
        out.write_text(rendered, encoding="utf-8")
        click.echo(f"Wrote {out}", err=True)


@main.command("templates")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def templates_command(settings: Any, as_json: bool) -> None:
    """List the report types with their LOINC document codes and where each is defined.

    \b
    Examples:
      assistant templates
      assistant templates --json
    """
    import json

    from assistant.reports import load_templates

    templates = load_templates(settings.reports.template_dirs)
    rows = [
        {
            "id": t.id,
            "title": t.title,
            "loinc": t.loinc,
            "loinc_display": t.loinc_display,
            "sections": len(t.sections),
            "required": [s.name for s in t.required_sections],
            "source": str(t.source),
        }
        for t in templates.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']:<18} {row['loinc']:<8} {row['title']} ({row['loinc_display']})")
