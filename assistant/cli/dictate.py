"""`assistant` commands: live dictation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import make_transcriber, sign_in, store_options, to_json


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
        click.echo(to_json(devices))
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
@store_options
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
    store, user, _ = sign_in(settings, o)
    patient = find_patient_by_mrn(store, user, mrn)
    encounter = find_encounter(store, user, o["encounter_ext"]) if o["encounter_ext"] else None
    device = int(o["device"]) if o["device"] and o["device"].isdigit() else o["device"]
    source = MicrophoneSource(
        device, max_seconds=o["max_seconds"], on_message=lambda m: click.echo(m, err=True)
    )
    transcriber = make_transcriber(settings, model=o["model"])
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
    document_id = file_live_dictation(
        store,
        user,
        result,
        patient_id=patient.id,
        encounter_id=encounter.id if encounter else None,
        report_type=report_type,
        settings=settings,
    )
    click.echo(result.text)
    audio = f"{result.duration:.0f} s of audio: {result.audio_path}"
    click.echo(f"Filed draft document {document_id} ({audio}).", err=True)


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
