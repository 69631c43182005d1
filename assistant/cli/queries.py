"""`assistant query`: physician queries (raise, answer, list)."""

from __future__ import annotations

from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import sign_in, store_options, to_json
from assistant.cli.encounter import resolve_encounter


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
        enc = resolve_encounter(store, user, encounter)
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
        enc = resolve_encounter(store, user, encounter) if encounter else None
        queries = list_queries(
            store, user, encounter_id=enc, status=status, addressed_to=user.id if mine else None
        )
    queries.sort(key=lambda q: (q.status != "open", q.id))
    click.echo(to_json(queries)) if as_json else _print_queries(queries)
