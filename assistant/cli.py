"""The `assistant` command line: a thin click shell over the core modules.

Each area owns one block below (marked ``# === area ===``); commands import the core lazily so
that ``assistant --help`` stays instant and never loads faster-whisper.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from assistant import __version__
from assistant.errors import AssistantError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AssistantGroup(click.Group):
    """Turns every AssistantError into one clear line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssistantError as e:
            raise click.ClickException(str(e)) from e


@click.group(cls=AssistantGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="assistant")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (TOML). Default: $ASSISTANT_CONFIG or ~/.config/assistant/config.toml.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: bool) -> None:
    """Local medical dictation and records assistant.

    \b
    Examples:
      assistant transcribe samples/audio/*.flac
      assistant eval samples/audio
      assistant --help
    """
    from assistant.config import load_settings

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = load_settings(config_path)


# === transcription (audio, transcribe, eval, demo) ===

_FORMATS = ("txt", "json", "srt", "vtt")


def _transcription_options(f: Any) -> Any:
    """Options shared by transcribe, eval and demo; they override the settings file."""
    options = [
        click.option(
            "--model", help="CTranslate2 Whisper model folder (default: bundled tiny.en)."
        ),
        click.option("--beam-size", type=click.IntRange(1, 20), help="Beam size (default 5)."),
        click.option("--threads", type=click.IntRange(0, 256), help="CPU threads (0 = all)."),
        click.option("--compute-type", help="CTranslate2 compute type (default int8)."),
        click.option("--vad/--no-vad", default=None, help="Skip non-speech (default on)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _make_transcriber(settings: Any, **overrides: Any) -> Any:
    from assistant.config import with_overrides
    from assistant.transcribe import WhisperTranscriber

    changes = {
        "model": overrides.get("model"),
        "beam_size": overrides.get("beam_size"),
        "cpu_threads": overrides.get("threads"),
        "compute_type": overrides.get("compute_type"),
        "vad": overrides.get("vad"),
    }
    settings = with_overrides(settings, transcription=changes)
    return WhisperTranscriber(settings.transcription)


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
@_transcription_options
@click.pass_obj
def transcribe_command(
    settings: Any, files: tuple[Path, ...], fmt: str, out: Path | None, **model_options: Any
) -> None:
    """Transcribe audio or video files with the local Whisper model.

    Accepts WAV, FLAC, MP3, OGG/Opus, M4A and the audio track of video files. Silence and noise
    are reported as "no speech"; segments that look invented are flagged on stderr (and in the
    JSON). A file that cannot be read is reported and skipped; the exit status is then 1.

    \b
    Examples:
      assistant transcribe samples/audio/cardiology_hf_discharge.flac
      assistant transcribe --format srt --out subs/ samples/audio/*.flac
      assistant transcribe --format json --model ~/models/whisper-small-ct2 note.m4a
    """
    from assistant.audio import load_audio
    from assistant.transcribe import transcribe_clip

    transcriber = None
    failed = 0
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    for path in files:
        try:
            clip = load_audio(path)
            if transcriber is None:  # load the model only once there is audio to decode
                transcriber = _make_transcriber(settings, **model_options)
            transcript = transcribe_clip(transcriber, clip)
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
@_transcription_options
@click.pass_obj
def eval_command(settings: Any, folder: Path, as_json: bool, **model_options: Any) -> None:
    """Word error rate and medical key-term recall on samples with references.

    Every audio file in FOLDER with a NAME.txt reference is transcribed; key terms come from
    the NAME.json sidecar ("key_terms"). The raw transcript is compared with the reference after
    the normalisation documented in assistant/evaluation.py (lower case, no punctuation, digits
    spelled out); spoken commands such as "period" count as words.

    \b
    Examples:
      assistant eval samples/audio
      assistant eval samples/audio --json --beam-size 1
    """
    import json

    from assistant.evaluation import evaluate_samples, find_samples

    samples = find_samples(folder)
    if not samples:
        raise click.ClickException(f"No audio with a NAME.txt reference in {folder}.")
    transcriber = _make_transcriber(settings, **model_options)

    def progress(result: Any) -> None:
        click.echo(f"{result.name}: WER {result.wer:.3f}", err=True)

    report = evaluate_samples(samples, transcriber, on_file=progress)
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
    for column in ("file", "audio s", "WER", "key-term recall", "RTF", "flagged"):
        table.add_column(column, justify="left" if column == "file" else "right")
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


def iter_demo(folder: Path, transcriber: Any) -> Any:
    """Yield (path, transcript or None, error or None) for every audio file under ``folder``.

    `make run` shows these as a table; the lead extends it to file reports per result.
    """
    from assistant.audio import AUDIO_EXTENSIONS
    from assistant.transcribe import transcribe_file

    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in AUDIO_EXTENSIONS or not path.is_file():
            continue
        try:
            yield path, transcribe_file(transcriber, path), None
        except AssistantError as e:
            yield path, None, e


@main.command("demo")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record store the demo files its reports into (created if missing).",
)
@_transcription_options
@click.pass_obj
def demo_command(settings: Any, folder: Path, db_path: Path | None, **model_options: Any) -> None:
    """The main job on a folder of dictations (what `make run` calls).

    Transcribes every audio file under FOLDER and prints a table of file, duration, words and
    real-time factor (transcription time / audio duration).

    \b
    Examples:
      assistant demo samples/audio --db demo/assistant.db
    """
    from rich.console import Console
    from rich.table import Table

    transcriber = _make_transcriber(settings, **model_options)
    table = Table(title=f"Transcribed with {transcriber.model_name}")
    for column in ("file", "audio s", "words", "RTF", "note"):
        table.add_column(column, justify="left" if column in ("file", "note") else "right")
    errors = Console(stderr=True)
    total_audio = total_wall = 0.0
    for path, transcript, error in iter_demo(folder, transcriber):
        if error is not None:
            table.add_row(path.name, "-", "-", "-", f"[red]{error.message}[/]")
            continue
        prov = transcript.provenance
        rtf = prov.wall_time / prov.audio_duration if prov.audio_duration else 0.0
        total_audio, total_wall = total_audio + prov.audio_duration, total_wall + prov.wall_time
        note = "no speech" if transcript.no_speech else ""
        if transcript.flagged_segments:
            note = f"{len(transcript.flagged_segments)} flagged"
        table.add_row(
            path.name, f"{prov.audio_duration:.1f}", str(len(transcript.words)), f"{rtf:.3f}", note
        )
        errors.print(f"transcribed {path.name}", style="dim")
    table.add_section()
    overall = total_wall / total_audio if total_audio else 0.0
    table.add_row("total", f"{total_audio:.1f}", "", f"{overall:.3f}", "")
    Console().print(table)


# === vocabulary ===


# === reports and record store ===

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
      assistant report samples/audio/neurology_migraine_soap.m4a --type soap \
          --format html --out note.html
    """
    import json

    from assistant.dictation import format_dictation
    from assistant.reports import all_headings, build_report, get_template, load_templates

    templates = load_templates(settings.reports.template_dirs)
    if report_type is not None:
        get_template(report_type, templates)  # unknown type: fail before any transcription
    if file.suffix.lower() == ".txt":
        raw = file.read_text(encoding="utf-8")
    else:
        from assistant.transcribe import WhisperTranscriber, transcribe_file

        raw = transcribe_file(WhisperTranscriber(settings.transcription), file).text
    text = format_dictation(
        raw, headings=all_headings(templates), abbreviations=settings.vocab.abbreviations
    )
    report = build_report(text, report_type, templates)
    if report_type is None:
        chosen = f"{report.report_type} (confidence {report.confidence:.2f})"
        click.echo(f"Report type: {chosen}", err=True)
    sidecar = file.with_suffix(".json")
    meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
    context = {key: meta.get(key) for key in _HEADER_KEYS} | {"status": "draft"}
    from assistant.reports import render_report

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


# === coding ===


# === batch ===


# === live dictation ===


# === tui ===
