"""`assistant` commands: vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main


def _sidecar(audio: Path) -> dict[str, Any]:
    import json

    path = audio.with_suffix(".json")
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def vocab_transcribe_fn(settings: Any, transcriber: Any) -> Any:
    """Path -> Transcript through the medical pipeline, with the sidecar's report type/specialty."""
    from assistant.pipeline import transcribe_medical

    def run(path: Path) -> Any:
        meta = _sidecar(path)
        return transcribe_medical(
            transcriber,
            path,
            settings,
            report_type=meta.get("report_type"),
            specialty=meta.get("specialty"),
        )

    return run


def print_vocab_comparison(plain: Any, vocab: Any, as_json: bool) -> None:
    import json

    if as_json:
        click.echo(json.dumps({"plain": plain.to_dict(), "vocab": vocab.to_dict()}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.1f}%"

    table = Table(title="Evaluation: plain decoding vs. medical vocabulary")
    for column in ("file", "WER plain", "WER vocab", "recall plain", "recall vocab", "time x"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for p, v in zip(plain.files, vocab.files, strict=True):
        ratio = v.wall_time / p.wall_time if p.wall_time else 0.0
        table.add_row(
            p.name,
            pct(p.wer),
            pct(v.wer),
            pct(p.key_term_recall),
            pct(v.key_term_recall),
            f"{ratio:.2f}",
        )
    table.add_section()
    ratio = vocab.wall_seconds / plain.wall_seconds if plain.wall_seconds else 0.0
    table.add_row(
        "overall",
        pct(plain.wer),
        pct(vocab.wer),
        pct(plain.key_term_recall),
        pct(vocab.key_term_recall),
        f"{ratio:.2f}",
    )
    Console().print(table)


@main.group("vocab")
def vocab_group() -> None:
    """The medical lexicon: look terms up, see what a heard word would be corrected to.

    \b
    Examples:
      assistant vocab info
      assistant vocab match furosmide "apex have been"
    """


@vocab_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def vocab_info_command(settings: Any, as_json: bool) -> None:
    """Count the lexicon's terms by kind and tier, and list the specialty bias lists.

    \b
    Examples:
      assistant vocab info
      assistant --config site.toml vocab info --json
    """
    import json
    from collections import Counter

    from assistant.vocab import load_lexicon

    lexicon = load_lexicon(settings.vocab)
    kinds = Counter(t.kind for t in lexicon.terms)
    tiers = Counter(t.tier for t in lexicon.terms)
    data = {
        "terms": len(lexicon),
        "kinds": dict(sorted(kinds.items())),
        "tiers": dict(sorted(tiers.items())),
        "specialties": sorted(lexicon.specialties),
    }
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{data['terms']} terms")
    for name, counts in (("kind", kinds), ("tier", tiers)):
        click.echo(f"by {name}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    click.echo("specialty lists: " + ", ".join(data["specialties"]))


@vocab_group.command("match")
@click.argument("heard", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 20), default=3, show_default=True)
@click.pass_obj
def vocab_match_command(settings: Any, heard: tuple[str, ...], limit: int) -> None:
    """Show the lexicon terms closest in sound and spelling to each HEARD word or phrase.

    Scores are 0-100 after the tier weight; correction replaces a low-confidence span only
    above about 84 (90 for short or ordinary-English spans).

    \b
    Examples:
      assistant vocab match furosmide
      assistant vocab match "as per in" "the timer"
    """
    from assistant.vocab import load_lexicon

    lexicon = load_lexicon(settings.vocab)
    for text in heard:
        matches = lexicon.index.search(text, limit=limit)
        found = ", ".join(f"{m.entry.text} ({m.score:.0f})" for m in matches) or "-"
        click.echo(f"{text}: {found}")
