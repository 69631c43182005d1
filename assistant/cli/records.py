"""`assistant` commands: the record store (file, show, search, sign, amend, addendum,
enter-in-error, chart, worklist, deficiencies)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import sign_in, store_options, text_arg, to_json

_HEADER_KEYS = ("patient_name", "mrn", "birth_date", "encounter", "author", "dictated_at")


@main.command("file")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mrn", required=True, help="Patient's MRN.")
@click.option("--type", "report_type", required=True, help="Report type id.")
@click.option("--author", help="Physician who will sign (default: you, if a physician).")
@click.option("--encounter", "encounter_ext", help="Encounter (visit) number; created if new.")
@click.option("--encounter-type", default="outpatient", show_default=True)
@click.option("--name", help='Register a new patient: "Family, Given".')
@click.option("--dob", help="Register a new patient: date of birth (YYYY-MM-DD).")
@click.option("--sex", type=click.Choice(["male", "female", "other", "unknown"]), default="unknown")
@click.option("--draft", is_flag=True, help="File as a draft, not preliminary.")
@click.option("--json", "as_json", is_flag=True, help="Print the filed document as JSON.")
@store_options
@click.pass_obj
def file_command(settings: Any, file: Path, mrn: str, report_type: str, **o: Any) -> None:
    """File a transcript (.txt) or report (.json from report_to_dict) as preliminary.

    \b
    Examples:
      assistant file note.txt --mrn 12345 --type soap --author drsmith --user tina
      assistant file note.txt --mrn 9 --name "Doe, Jane" --dob 1950-03-04 --type soap
    """
    import json
    from datetime import date

    from assistant.errors import NotFound
    from assistant.models import Encounter, Patient
    from assistant.store import add_encounter, file_document, find_encounter, register_patient
    from assistant.store.records import find_patient_by_mrn

    store, user, _ = sign_in(settings, o)
    raw = file.read_text(encoding="utf-8")
    if file.suffix.lower() == ".json":
        from assistant.reports import report_from_dict

        report = report_from_dict(json.loads(raw))
        text = "\n\n".join(f"{s.title.upper()}:\n{s.text}" for s in report.sections)
        sections: Any = report.sections
    else:
        text, sections = raw, _sections_of(settings, raw, report_type)
    try:
        patient = find_patient_by_mrn(store, user, mrn)
    except NotFound:
        if not o["name"]:
            raise
        family, _, given = o["name"].partition(",")
        birth = date.fromisoformat(o["dob"]) if o["dob"] else None
        new = Patient(mrn, family.strip(), given.strip(), birth, o["sex"])
        patient = register_patient(store, user, new)
    encounter_id = None
    if o["encounter_ext"]:
        try:
            encounter_id = find_encounter(store, user, o["encounter_ext"]).id
        except NotFound:
            enc = Encounter(patient.id, o["encounter_type"], external_id=o["encounter_ext"])
            encounter_id = add_encounter(store, user, enc).id
    status = "draft" if o["draft"] else "preliminary"
    doc = file_document(
        store,
        user,
        patient_id=patient.id,
        encounter_id=encounter_id,
        report_type=report_type,
        text=text,
        sections=sections,
        author=o["author"],
        status=status,
    )
    click.echo(to_json(doc) if o["as_json"] else f"Filed document {doc.id} ({doc.status}).")


def _sections_of(settings: Any, text: str, report_type: str) -> Any:
    """Sections found in a plain transcript, when the report type is known; else none."""
    from assistant.errors import TemplateError

    try:
        from assistant.reports import build_report, load_templates

        templates = load_templates(settings.reports.template_dirs)
        return build_report(text, report_type, templates).sections
    except TemplateError:
        return None


@main.command("show")
@click.argument("document_id", type=int)
@click.option("--version", "version", type=int, help="An earlier version (default: current).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def show_command(
    settings: Any, document_id: int, version: int | None, as_json: bool, **o: Any
) -> None:
    """Show a document (current version, or --version N) with its history and addenda.

    \b
    Examples:
      assistant show 42 --user drsmith
      assistant show 42 --version 1 --json
    """
    from assistant.store import get_document, get_patient, list_documents, list_versions
    from assistant.store.users import get_user

    store, user, _ = sign_in(settings, o)
    doc = get_document(store, user, document_id, version)
    versions = list_versions(store, user, document_id)
    addenda = list_documents(store, user, parent_id=document_id)
    if as_json:
        click.echo(to_json({"document": doc, "versions": versions, "addenda": addenda}))
        return
    p = get_patient(store, user, doc.patient_id)
    v = doc.version
    click.echo(
        f"Document {doc.id}  {doc.report_type}  {v.status}  (version {v.version} of "
        f"{doc.current_version})"
    )
    click.echo(f"Patient {p.family_name}, {p.given_name}  MRN {p.mrn}  born {p.birth_date}")
    if v.signed_at:
        click.echo(f"Signed by {get_user(store, v.signed_by).username} at {v.signed_at}")
    if v.reason:
        click.echo(f"Reason: {v.reason}")
    click.echo("")
    click.echo(v.text.rstrip())
    click.echo("")
    for old in versions:
        who = get_user(store, old.created_by).username
        click.echo(f"  v{old.version} {old.status:<16} {old.created_at} by {who}")
    for a in addenda:
        click.echo(f"  addendum: document {a.id} ({a.status}, {a.created_at})")


@main.command("search")
@click.argument("query")
@click.option("--mrn", help="Only this patient.")
@click.option("--author", help="Only documents assigned to this physician (username).")
@click.option("--type", "report_type", help="Only this report type.")
@click.option("--status", help="Only this status (e.g. final).")
@click.option("--from", "date_from", help="Filed on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Filed on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def search_command(settings: Any, query: str, **o: Any) -> None:
    """Full-text search of current documents; words are ANDed, "quoted words" are phrases.

    \b
    Examples:
      assistant search "heart failure" --user cody
      assistant search '"congestive heart failure" furosemide' --status final --from 2026-01-01
    """
    from assistant.store import find_patient_by_mrn, find_user, search

    store, user, _ = sign_in(settings, o)
    patient_id = find_patient_by_mrn(store, user, o["mrn"]).id if o["mrn"] else None
    author_id = find_user(store, o["author"]).id if o["author"] else None
    filters = {k: o[k] for k in ("report_type", "status", "date_from", "date_to", "limit")}
    result = search(store, user, query, patient_id=patient_id, author_id=author_id, **filters)
    if o["as_json"]:
        click.echo(to_json(result))
        return
    for h in result.hits:
        click.echo(
            f"{h.document_id:>8}  {h.mrn:<10} {h.patient_name:<24} {h.report_type:<18}"
            f" {h.status:<12} {h.created_at[:10]}"
        )
        click.echo(f"          {' '.join(h.snippet.split())}")
    click.echo(f"{len(result.hits)} hit(s), ordered by {result.ordered_by}", err=True)


@main.command("sign")
@click.argument("document_id", type=int)
@store_options
@click.pass_obj
def sign_command(settings: Any, document_id: int, **o: Any) -> None:
    """Sign a document assigned to you (your password is your signature).

    \b
    Examples:
      assistant sign 42 --user drsmith
    """
    from assistant.store import sign

    store, user, password = sign_in(settings, o)
    doc = sign(store, user, document_id, password=password)
    click.echo(f"Signed document {doc.id} (version {doc.current_version}, {doc.status}).")


@main.command("amend")
@click.argument("document_id", type=int)
@click.option("--reason", required=True, help="Why the signed text is corrected.")
@click.option("--text", help="The corrected full text.")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_options
@click.pass_obj
def amend_command(
    settings: Any, document_id: int, reason: str, text: str | None, text_file: Path | None, **o: Any
) -> None:
    """Correct a signed document: a new, signed 'amended' version (the old one is kept).

    \b
    Examples:
      assistant amend 42 --reason "wrong side" --text-file fixed.txt --user drsmith
    """
    from assistant.store import amend

    body = text_arg(text, text_file)
    store, user, password = sign_in(settings, o)
    doc = amend(store, user, document_id, text=body, reason=reason, password=password)
    click.echo(f"Amended document {doc.id} (version {doc.current_version}).")


@main.command("addendum")
@click.argument("document_id", type=int)
@click.option("--text", help="The addendum's text.")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@store_options
@click.pass_obj
def addendum_command(
    settings: Any, document_id: int, text: str | None, text_file: Path | None, **o: Any
) -> None:
    """Append a signed addendum to a signed document.

    \b
    Examples:
      assistant addendum 42 --text "Pathology: benign." --user drsmith
    """
    from assistant.store import add_addendum

    body = text_arg(text, text_file)
    store, user, password = sign_in(settings, o)
    doc = add_addendum(store, user, document_id, text=body, password=password)
    click.echo(f"Filed addendum {doc.id} to document {document_id}.")


def _reason(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not value.strip():
        raise click.BadParameter("say why the document is withdrawn.")
    return value.strip()


@main.command("enter-in-error")
@click.argument("document_id", type=int)
@click.option("--reason", required=True, callback=_reason, help='Why, e.g. "wrong patient" (kept).')
@click.option("--json", "as_json", is_flag=True, help="Print the withdrawn document as JSON.")
@store_options
@click.pass_obj
def enter_in_error_command(
    settings: Any, document_id: int, reason: str, as_json: bool, **o: Any
) -> None:
    """Withdraw a document filed in error (HIM role): status entered-in-error.

    Nothing is deleted: a new version records the status and the reason, every earlier
    version stays readable with `show --version N`, and `search` leaves the document out
    unless asked for --status entered-in-error. It cannot be undone.

    \b
    Examples:
      assistant enter-in-error 42 --reason "wrong patient" --user him1
    """
    from assistant.store import enter_in_error

    store, user, _ = sign_in(settings, o)
    doc = enter_in_error(store, user, document_id, reason=reason)
    if as_json:
        click.echo(to_json(doc))
        return
    click.echo(
        f"Document {doc.id} entered in error (version {doc.current_version}); reason: {reason}"
    )


@main.command("chart")
@click.argument("mrn")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def chart_command(settings: Any, mrn: str, as_json: bool, **o: Any) -> None:
    """A patient's chart: encounters and documents in order.

    \b
    Examples:
      assistant chart 12345 --user drsmith
    """
    from assistant.store import chart, find_patient_by_mrn

    store, user, _ = sign_in(settings, o)
    c = chart(store, user, find_patient_by_mrn(store, user, mrn).id)
    if as_json:
        click.echo(to_json(c))
        return
    p = c.patient
    click.echo(f"{p.family_name}, {p.given_name}  MRN {p.mrn}  born {p.birth_date}  {p.sex}")
    groups = [
        (e.id, f"{e.encounter_type} {e.external_id or e.id} admitted {e.admit_date}")
        for e in c.encounters
    ] + [(None, "no encounter")]
    for encounter_id, title in groups:
        docs = c.documents_for(encounter_id)
        if docs or encounter_id is not None:
            click.echo(f"\n{title}")
        for d in docs:
            rel = f" (addendum to {d.parent_id})" if d.parent_id else ""
            click.echo(f"  {d.id:>6} {d.created_at[:10]} {d.report_type:<20} {d.status}{rel}")


@main.command("worklist")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def worklist_command(settings: Any, as_json: bool, **o: Any) -> None:
    """What is waiting for you: reports to sign, dictations to review, encounters to code.

    \b
    Examples:
      assistant worklist --user drsmith
    """
    from assistant.store import worklist

    store, user, _ = sign_in(settings, o)
    items = worklist(store, user)
    if as_json:
        click.echo(to_json(items))
        return
    for i in items:
        who = f"{i.mrn} {i.patient_name}" if i.mrn else "(no patient)"
        click.echo(f"{i.kind:<10} {i.since[:16]}  {who:<32} {i.title}")


@main.command("deficiencies")
@click.option("--mrn", help="Only this patient.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def deficiencies_command(settings: Any, mrn: str | None, as_json: bool, **o: Any) -> None:
    """Unsigned documents and what keeps each from being complete.

    Missing or empty required sections, unsigned past the limit ([reports]
    unsigned_max_age_hours), no diagnosis code, unreviewed flagged transcript spans.

    \b
    Examples:
      assistant deficiencies --user admin
      assistant deficiencies --mrn 12345 --json
    """
    from assistant.store import find_patient_by_mrn
    from assistant.store.deficiencies import find_deficiencies

    store, user, _ = sign_in(settings, o)
    patient_id = find_patient_by_mrn(store, user, mrn).id if mrn else None
    found = find_deficiencies(
        store,
        user,
        patient_id=patient_id,
        template_dirs=settings.reports.template_dirs,
        unsigned_max_age_hours=settings.reports.unsigned_max_age_hours,
    )
    if as_json:
        click.echo(to_json(found))
        return
    for doc, items in found:
        click.echo(f"Document {doc.id} ({doc.report_type}, {doc.status}, patient {doc.patient_id})")
        for d in items:
            click.echo(f"  {d.kind:<18} {d.detail}")
