"""`assistant` commands: transcription (audio, transcribe, eval, demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import make_transcriber, transcription_options
from assistant.cli.vocab import print_vocab_comparison, vocab_transcribe_fn
from assistant.errors import AssistantError

_FORMATS = ("txt", "json", "srt", "vtt")


def _render(transcript: Any, fmt: str, source: Path) -> str:
    import json

    from assistant.transcribe import to_srt, to_vtt, transcript_to_dict

    if fmt == "json":
        return json.dumps({"file": str(source), **transcript_to_dict(transcript)}, indent=2) + "\n"
    if fmt == "srt":
        return to_srt(transcript)
    if fmt == "vtt":
        return to_vtt(transcript)
    return transcript.text + "\n"


def _report_notes(path: Path, clip: Any, transcript: Any) -> None:
    """Diagnostics a user should see, on stderr (stdout carries only the transcript)."""
    if clip.partial:
        click.echo(
            f"{path}: warning: decoded only {clip.duration:.1f} s of the "
            f"{clip.declared_duration:.1f} s the file declares (cut or damaged).",
            err=True,
        )
    if transcript.no_speech:
        click.echo(f"{path}: no speech detected (silence or noise); nothing transcribed.", err=True)
    flagged = transcript.flagged_segments
    if flagged:
        reasons = sorted({flag for seg in flagged for flag in seg.flags})
        click.echo(
            f"{path}: {len(flagged)} segment(s) flagged for review ({', '.join(reasons)}).",
            err=True,
        )


@main.command("transcribe")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default="txt",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write NAME.<format> files into this folder instead of printing.",
)
@click.option("--type", "report_type", help="Report type, to bias toward its vocabulary.")
@click.option("--specialty", help="Specialty, to bias toward its vocabulary (e.g. cardiology).")
@click.option(
    "--vocab/--no-vocab",
    "use_vocab",
    default=None,
    help="Medical vocabulary biasing and correction (default on; settings: use_vocabulary).",
)
@transcription_options
@click.pass_obj
def transcribe_command(
    settings: Any,
    files: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    report_type: str | None,
    specialty: str | None,
    use_vocab: bool | None,
    **model_options: Any,
) -> None:
    """Transcribe audio or video files with the local Whisper model.

    Accepts WAV, FLAC, MP3, OGG/Opus, M4A and the audio track of video files. Decoding is
    biased toward the medical vocabulary (of --type/--specialty when given) and uncertain words
    are corrected against it; each correction is in the JSON. Silence and noise are reported
    as "no speech"; segments that look invented are flagged on stderr (and in the JSON). A file
    that cannot be read is reported and skipped; the exit status is then 1.

    \b
    Examples:
      assistant transcribe samples/audio/cardiology_hf_discharge.flac
      assistant transcribe --format srt --out subs/ samples/audio/*.flac
      assistant transcribe --format json --model ~/models/whisper-small-ct2 note.m4a
    """
    from assistant.audio import load_audio
    from assistant.config import with_overrides
    from assistant.pipeline import transcribe_medical

    settings = with_overrides(settings, transcription={"use_vocabulary": use_vocab})
    transcriber = None
    failed = 0
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    for path in files:
        try:
            clip = load_audio(path)
            if transcriber is None:  # load the model only once there is audio to decode
                transcriber = make_transcriber(settings, **model_options)
            transcript = transcribe_medical(
                transcriber, clip, settings, report_type=report_type, specialty=specialty
            )
        except AssistantError as e:
            if len(files) == 1:
                raise
            click.echo(f"Error: {e}", err=True)
            failed += 1
            continue
        _report_notes(path, clip, transcript)
        text = _render(transcript, fmt, path)
        if out is None:
            click.echo(text, nl=False)
        else:
            target = out / f"{path.stem}.{fmt}"
            target.write_text(text, encoding="utf-8")
            click.echo(f"Wrote {target}", err=True)
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} file(s) could not be transcribed.")


@main.command("eval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--vocab/--no-vocab", default=False, help="Use the medical vocabulary pipeline.")
@click.option("--compare", is_flag=True, help="Run plain and with vocabulary, side by side.")
@transcription_options
@click.pass_obj
def eval_command(
    settings: Any, folder: Path, as_json: bool, vocab: bool, compare: bool, **model_options: Any
) -> None:
    """Word error rate and medical key-term recall on samples with references.

    Every audio file in FOLDER with a NAME.txt reference is transcribed; key terms come from
    the NAME.json sidecar ("key_terms"). The raw transcript is compared with the reference after
    the normalisation documented in assistant/evaluation.py (lower case, no punctuation, digits
    spelled out); spoken commands such as "period" count as words.

    \b
    Examples:
      assistant eval samples/audio
      assistant eval samples/audio --json --beam-size 1
      assistant eval samples/audio --compare
    """
    import json

    from assistant.evaluation import evaluate_samples, find_samples

    samples = find_samples(folder)
    if not samples:
        raise click.ClickException(f"No audio with a NAME.txt reference in {folder}.")
    transcriber = make_transcriber(settings, **model_options)

    def progress(result: Any) -> None:
        click.echo(f"{result.name}: WER {result.wer:.3f}", err=True)

    if compare:  # the vocabulary block's comparison (plain first, then with vocabulary)
        plain = evaluate_samples(samples, transcriber, on_file=progress)
        medical = evaluate_samples(samples, vocab_transcribe_fn(settings, transcriber), progress)
        print_vocab_comparison(plain, medical, as_json)
        return
    fn = vocab_transcribe_fn(settings, transcriber) if vocab else transcriber
    report = evaluate_samples(samples, fn, on_file=progress)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print_eval_table(report, transcriber.model_name)


def _print_eval_table(report: Any, model_name: str) -> None:
    from rich.console import Console
    from rich.table import Table

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.1f}%"

    table = Table(title=f"Evaluation ({model_name})")
    table.add_column("file", no_wrap=True)
    for column in ("audio s", "WER", "key-term recall", "RTF", "flagged"):
        table.add_column(column, justify="right")
    for f in report.files:
        table.add_row(
            f.name,
            f"{f.duration:.1f}",
            pct(f.wer),
            pct(f.key_term_recall),
            f"{f.rtf:.3f}",
            str(f.flagged_segments),
        )
    table.add_section()
    table.add_row(
        "overall",
        f"{report.audio_seconds:.1f}",
        pct(report.wer),
        pct(report.key_term_recall),
        f"{report.rtf:.3f}",
        str(sum(f.flagged_segments for f in report.files)),
    )
    Console().print(table)


@main.command("demo")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("demo/assistant.db"),
    show_default=True,
    help="Demo record store (created with demo accounts if missing).",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: by cores).")
@click.pass_obj
def demo_command(settings: Any, folder: Path, db_path: Path, workers: int | None) -> None:
    """The main job on a folder of dictations (what `make run` calls).

    Creates a demo record store, transcribes every dictation under FOLDER with the medical
    vocabulary, formats it, files it as a preliminary report for its patient (from the JSON
    sidecar), suggests ICD-10 codes and reviews completeness; prints a table of the results
    and how to open the store. Files already filed are skipped on a rerun.

    \b
    Examples:
      assistant demo samples/audio
      assistant demo samples/audio --db demo/assistant.db --workers 2
    """
    from rich.console import Console
    from rich.table import Table

    from assistant.demo import DEMO_PASSWORD, run_demo

    table = Table(title=f"Dictations in {folder}")
    table.add_column("file", no_wrap=True)
    for column in ("audio s", "words", "RTF"):
        table.add_column(column, justify="right")
    for column in ("report", "doc", "suggested codes", "gaps"):
        table.add_column(column)
    errors = Console(stderr=True)
    total_audio = total_wall = 0.0
    with errors.status("Transcribing and filing (the first run takes a few minutes)..."):
        rows = list(run_demo(folder, db_path, settings, workers=workers or 0))
    for row in rows:
        r = row.result
        if r.state != "done":
            why = r.error or r.reason or ""
            table.add_row(r.path.name, "-", "-", "-", f"[dim]{r.state}[/]", "", why, "")
            continue
        rtf = r.wall_s / r.duration if r.duration else 0.0
        total_audio, total_wall = total_audio + r.duration, total_wall + r.wall_s
        codes = " ".join(row.codes[:4]) + (" ..." if len(row.codes) > 4 else "")
        doc = str(r.document_id) if r.document_id else "[yellow]unassigned[/]"
        table.add_row(
            r.path.name,
            f"{r.duration:.1f}",
            str(row.words),
            f"{rtf:.3f}",
            row.report_type or "",
            doc,
            codes,
            str(row.deficiencies),
        )
    if total_audio:
        table.add_section()
        table.add_row("total", f"{total_audio:.1f}", "", f"{total_wall / total_audio:.3f}")
    out = Console()
    Console(width=max(out.width, 150)).print(table)  # a log or pipe gets the full table too
    errors.print(
        f"Record store: {db_path}\n"
        f"Open it:  assistant tui --db {db_path} --user tina   (password: {DEMO_PASSWORD})\n"
        f"Search:   ASSISTANT_PASSWORD={DEMO_PASSWORD} assistant search --db {db_path} "
        "--user carl 'heart failure'"
    )
