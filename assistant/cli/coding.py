"""`assistant` commands: ICD-10 code look-up (codes search, show, check)."""

from __future__ import annotations

from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import code_index, echo_edits, to_json


def _show_note_lines(info: Any, inherited: list[Any]) -> list[str]:
    from assistant.coding.index import NOTE_KINDS

    lines = []
    for source in [info, *inherited]:
        for kind in NOTE_KINDS:
            for note in source.notes.get(kind, []):
                where = "" if source is info else f" (from {source.display_code})"
                lines.append(f"  {kind.replace('_', ' ')}{where}: {note}")
    return lines


@main.group("codes")
def codes_group() -> None:
    """Look up ICD-10-CM and ICD-10-PCS codes (offline; index built once, then cached).

    \b
    Examples:
      assistant codes search "acute on chronic systolic heart failure"
      assistant codes search E11.2
      assistant codes show I50.23
      assistant codes check I50.23 J81.0 --age 77 --sex male
    """


@codes_group.command("search")
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--system", type=click.Choice(["cm", "pcs"]), help="Only ICD-10-CM or ICD-10-PCS.")
@click.option("--billable", is_flag=True, help="Only billable (leaf) codes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def codes_search_command(
    text: tuple[str, ...], limit: int, system: str | None, billable: bool, as_json: bool
) -> None:
    """Find codes by words (stemmed, all must match) or by a code prefix.

    \b
    Examples:
      assistant codes search pneumonia --billable
      assistant codes search resection appendix --system pcs
    """
    from assistant.coding import CM, PCS

    wanted = {"cm": CM, "pcs": PCS}.get(system or "")
    found = code_index().search(" ".join(text), limit, wanted, billable)
    if as_json:
        click.echo(to_json(found))
        return
    if not found:
        click.echo("No codes found.", err=True)
    for info in found:
        mark = " " if info.billable else "*"
        click.echo(f"{info.display_code:<9}{mark} {info.description}")


@codes_group.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def codes_show_command(code: str, as_json: bool) -> None:
    """Show a code with every tabular note (its own and those inherited from its parents).

    \b
    Example:
      assistant codes show E11.22
    """
    index = code_index()
    info = index.require(code)
    parents = index.ancestors(info.code)
    children = index.children(info.code)
    if as_json:
        click.echo(to_json({"code": info, "parents": parents, "children": children}))
        return
    click.echo(f"{info.display_code}  {info.description}  [{info.system}]")
    click.echo("  billable" if info.billable else f"  not billable: {len(children)} subcodes")
    for p in parents:
        click.echo(f"  in {p.display_code} {p.description}")
    for line in _show_note_lines(info, parents):
        click.echo(line)
    if info.seven_chr and len(info.code) < 7:
        for char, meaning in info.seven_chr.items():
            click.echo(f"  7th character {char}: {meaning}")
    for c in children[:30]:
        click.echo(f"  - {c.display_code} {c.description}")


@codes_group.command("check")
@click.argument("codes", nargs=-1, required=True)
@click.option("--age", type=click.IntRange(0, 124), help="Patient age (runs the MCE edits).")
@click.option("--sex", type=click.Choice(["male", "female", "unknown"]), default="unknown")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def codes_check_command(codes: tuple[str, ...], age: int | None, sex: str, as_json: bool) -> None:
    """Edits for a set of codes, principal first: billable, Excludes1, code first, MCE.

    \b
    Example:
      assistant codes check G63 E11.42 --age 60 --sex female
    """
    from assistant.coding import validate_codes

    edits = validate_codes(list(codes), age, sex, index=code_index())
    if as_json:
        click.echo(to_json(edits))
        return
    echo_edits(edits)
