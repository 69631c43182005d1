"""`assistant` commands: coding a document and an encounter (code, encounter codes).

Also the helpers that `drg` and `query` share: an encounter by visit number or id, and the
patient facts a claim needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import code_index, echo_edits, sign_in, store_options, to_json


def _document_text(settings: Any, document: str, o: dict[str, Any]) -> Any:
    """A report file's text, or a stored document (by id) as a Report of its sections."""
    path = Path(document)
    if path.exists():
        return path.read_text(encoding="utf-8")
    if not document.isdigit():
        raise click.BadParameter(f"{document} is neither a file nor a document id.")
    from assistant.models import Report, Section
    from assistant.store import get_document

    store, user, _ = sign_in(settings, o)
    with store:
        doc = get_document(store, user, int(document))
    parts = [s for s in doc.version.sections if isinstance(s, dict) and s.get("text")]
    if not parts:
        return doc.version.text
    sections = tuple(
        Section(name=s.get("name", ""), title=s.get("title", ""), text=s["text"]) for s in parts
    )
    return Report(report_type=doc.report_type, sections=sections)


@main.command("code")
@click.argument("document")
@click.option("--excluded/--no-excluded", default=True, help="Also list findings not coded.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def code_command(settings: Any, document: str, excluded: bool, as_json: bool, **o: Any) -> None:
    """Suggest ICD-10-CM/PCS codes for a report, principal first, with the evidence.

    DOCUMENT is a text file or a stored document id. Negated, uncertain, hypothetical and
    family findings are never coded; they are listed with the word that excluded them.
    Codes marked '?' are unspecified: candidates for a physician query.

    \b
    Examples:
      assistant code note.txt
      assistant code 12 --user coder1 --json
    """
    from assistant.coding import analyze

    result = analyze(_document_text(settings, document, o), code_index())
    if as_json:
        click.echo(to_json(result))
        return
    for s in result.suggestions:
        q = "?" if s.query_candidate else " "
        click.echo(f"{s.code.code:<9}{q} {s.score:.2f}  {s.code.display}")
        for ev in s.evidence[:3]:
            click.echo(f'           [{ev.section} {ev.start}-{ev.end}] "{ev.text}"')
        click.echo(f"           why: {s.reason}")
    if excluded and result.excluded:
        click.echo("Not coded:")
        for f in result.excluded:
            why = f"({f.trigger.strip()})" if f.trigger.strip() else ""
            click.echo(f'  {f.status:<12} "{f.evidence.text}" {why} ~ {f.code.code}')


def resolve_encounter(store: Any, user: Any, encounter: str) -> int:
    """The id of an encounter given by its visit number, or by its id when no visit has it."""
    from assistant.errors import NotFound
    from assistant.store import find_encounter

    try:
        return find_encounter(store, user, encounter).id
    except NotFound:
        if encounter.isdigit():
            return int(encounter)
        raise


def _print_codes(codes: list[Any]) -> None:
    for c in codes:
        poa = f" POA={c.poa}" if c.poa else ""
        click.echo(f"{c.sequence:>2}. {c.system:<10} {c.code:<9} {c.display}{poa}")


@main.group("encounter")
def encounter_group() -> None:
    """Work on an encounter's record (codes)."""


@encounter_group.group("codes")
def encounter_codes_group() -> None:
    """The encounter's codes: add, remove, sequence (principal first), list, check.

    \b
    Examples:
      assistant encounter codes add V2026-11-0412 I11.0 I50.23 --poa Y --user coder1
      assistant encounter codes sequence V2026-11-0412 I50.23 I11.0 --user coder1
    """


@encounter_codes_group.command("add")
@click.argument("encounter")
@click.argument("codes", nargs=-1, required=True)
@click.option("--poa", type=click.Choice(["Y", "N", "U", "W", "1"]), help="Present on admission.")
@click.option("--principal", is_flag=True, help="Put the (first) code first.")
@store_options
@click.pass_obj
def encounter_codes_add_command(
    settings: Any,
    encounter: str,
    codes: tuple[str, ...],
    poa: str | None,
    principal: bool,
    **o: Any,
) -> None:
    """Attach codes (checked against the classification; billable codes only)."""
    from assistant.errors import CodingError
    from assistant.models import Code
    from assistant.store import add_code

    index = code_index()
    infos = [index.require(c) for c in codes]
    for info in infos:
        if not info.billable:
            raise CodingError(f"{info.display_code} is not billable: pick a subcode.")
    store, user, _ = sign_in(settings, o)
    with store:
        enc = resolve_encounter(store, user, encounter)
        result: list[Any] = []
        with store.write():
            for i, info in enumerate(infos):
                code = Code(info.system, info.display_code, info.description)
                result = add_code(store, user, enc, code, poa=poa, principal=principal and i == 0)
    _print_codes(result)


@encounter_codes_group.command("remove")
@click.argument("encounter")
@click.argument("code")
@store_options
@click.pass_obj
def encounter_codes_remove_command(settings: Any, encounter: str, code: str, **o: Any) -> None:
    """Remove a code from the encounter."""
    from assistant.store import remove_code

    info = code_index().require(code)
    store, user, _ = sign_in(settings, o)
    with store:
        _print_codes(
            remove_code(
                store,
                user,
                resolve_encounter(store, user, encounter),
                info.system,
                info.display_code,
            )
        )


@encounter_codes_group.command("sequence")
@click.argument("encounter")
@click.argument("codes", nargs=-1, required=True)
@store_options
@click.pass_obj
def encounter_codes_sequence_command(
    settings: Any, encounter: str, codes: tuple[str, ...], **o: Any
) -> None:
    """Reorder one system's codes; list them all, principal first."""
    from assistant.store import set_sequence

    index = code_index()
    infos = [index.require(c) for c in codes]
    systems = {i.system for i in infos}
    if len(systems) != 1:
        raise click.UsageError("Sequence one system at a time (ICD-10-CM or ICD-10-PCS).")
    store, user, _ = sign_in(settings, o)
    with store:
        enc = resolve_encounter(store, user, encounter)
        order = [i.display_code for i in infos]
        _print_codes(set_sequence(store, user, enc, systems.pop(), order))


@encounter_codes_group.command("list")
@click.argument("encounter")
@click.option("--check", is_flag=True, help="Also run the coding edits (Excludes1, MCE...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def encounter_codes_list_command(
    settings: Any, encounter: str, check: bool, as_json: bool, **o: Any
) -> None:
    """The encounter's codes in sequence, optionally with their edits."""
    from assistant.store import list_codes

    store, user, _ = sign_in(settings, o)
    with store:
        enc = resolve_encounter(store, user, encounter)
        codes = list_codes(store, user, enc)
        context = claim_context(store, user, enc) if check else None
    if as_json:
        click.echo(to_json(codes))
    else:
        _print_codes(codes)
    if context is not None:
        from assistant.coding import validate_codes

        ordered = [c.code for c in codes if c.system == "ICD-10-CM"]
        ordered += [c.code for c in codes if c.system == "ICD-10-PCS"]
        age, sex, status, when = context
        edits = validate_codes(
            ordered, age, sex, index=code_index(), discharge_date=when, discharge_status=status
        )
        echo_edits(edits)


def claim_context(store: Any, user: Any, encounter_id: int) -> tuple[int, str, int, Any]:
    """(age at admission, sex, CMS discharge status, discharge date) of an encounter."""
    from datetime import date

    from assistant.coding import discharge_status_code
    from assistant.store import get_encounter, get_patient

    enc = get_encounter(store, user, encounter_id)
    patient = get_patient(store, user, enc.patient_id)
    on = enc.admit_date or enc.discharge_date
    on_date = on.date() if on else date.today()
    age = 0
    if patient.birth_date:
        b = patient.birth_date
        age = on_date.year - b.year - ((on_date.month, on_date.day) < (b.month, b.day))
    when = enc.discharge_date.date() if enc.discharge_date else None
    return age, patient.sex, discharge_status_code(enc.discharge_disposition), when
