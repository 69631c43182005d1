"""The command line, driven through click's CliRunner with the real model and real audio."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from assistant import __version__
from assistant.cli import main
from tests.conftest import SPOKEN_TEXT


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def silence(tmp_path: Path) -> Path:
    import soundfile

    path = tmp_path / "silence.wav"
    soundfile.write(path, np.zeros(16000 * 5, np.float32), 16000)
    return path


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(_all_commands(command, (*prefix, name)))
    return paths


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", _all_commands(main), ids=" ".join)
def test_every_command_has_help(runner: CliRunner, path: tuple[str, ...]) -> None:
    command = _command(path)
    assert command.help and command.help.strip(), f"{' '.join(path)} has no help text"
    result = runner.invoke(main, [*path, "-h"])
    assert result.exit_code == 0, result.output
    first_words = " ".join(command.help.split()[:4])
    assert "Usage:" in result.output and first_words in " ".join(result.output.split())


@pytest.mark.parametrize("name", ["transcribe", "eval", "demo"])
def test_transcription_commands_show_examples(runner: CliRunner, name: str) -> None:
    result = runner.invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and f"assistant {name}" in result.output


def test_group_help_lists_the_transcription_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["-h"])
    assert result.exit_code == 0
    for name in ("transcribe", "eval", "demo"):
        assert name in result.output


def test_transcribe_prints_plain_text(runner: CliRunner, spoken_wav: Path) -> None:
    result = runner.invoke(main, ["transcribe", str(spoken_wav)])
    assert result.exit_code == 0, result.output
    assert "hypertension" in result.stdout.lower()
    assert "chest pain" in result.stdout.lower()
    assert result.stderr == ""


def test_transcribe_json(runner: CliRunner, spoken_wav: Path) -> None:
    result = runner.invoke(
        main, ["transcribe", "--format", "json", "--beam-size", "1", str(spoken_wav)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["file"] == str(spoken_wav)
    assert "chest pain" in data["text"].lower()
    assert data["provenance"]["model_name"] == "tiny.en"
    assert data["provenance"]["options"]["beam_size"] == 1
    assert data["segments"][0]["words"][0]["probability"] > 0


def test_transcribe_writes_srt_and_vtt_files(
    runner: CliRunner, spoken_wav: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    for fmt in ("srt", "vtt"):
        result = runner.invoke(
            main,
            ["transcribe", "--format", fmt, "--beam-size", "1", "--out", str(out), str(spoken_wav)],
        )
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
    srt = (out / "spoken.srt").read_text()
    vtt = (out / "spoken.vtt").read_text()
    assert srt.startswith("1\n00:00:00,") and "chest pain" in srt.lower()
    assert vtt.startswith("WEBVTT") and "chest pain" in vtt.lower()


def test_missing_file_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["transcribe", str(tmp_path / "gone.flac")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'gone.flac'}: file not found."
    ]


def test_one_bad_file_does_not_stop_the_others(
    runner: CliRunner, spoken_wav: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(np.random.default_rng(5).bytes(20_000))
    result = runner.invoke(main, ["transcribe", str(bad), str(spoken_wav)])
    assert result.exit_code == 1
    assert "hypertension" in result.stdout.lower()
    assert "not a recognised audio" in result.stderr
    assert "1 of 2 file(s) could not be transcribed" in result.stderr


def test_silence_reports_no_speech(runner: CliRunner, silence: Path) -> None:
    result = runner.invoke(main, ["transcribe", str(silence)])
    assert result.exit_code == 0
    assert result.stdout.strip() == ""
    assert "no speech detected" in result.stderr


def test_unknown_model_is_a_clear_error(runner: CliRunner, spoken_wav: Path) -> None:
    result = runner.invoke(main, ["transcribe", "--model", "no-such-model", str(spoken_wav)])
    assert result.exit_code == 1
    assert "not in the local Hugging Face cache" in result.stderr
    assert "Traceback" not in result.output


def test_bad_format_is_a_usage_error(runner: CliRunner, spoken_wav: Path) -> None:
    result = runner.invoke(main, ["transcribe", "--format", "docx", str(spoken_wav)])
    assert result.exit_code == 2


@pytest.fixture
def sample_dir(tmp_path: Path, spoken_wav: Path, silence: Path) -> Path:
    folder = tmp_path / "samples"
    folder.mkdir()
    shutil.copy(spoken_wav, folder / "spoken.wav")
    (folder / "spoken.txt").write_text(SPOKEN_TEXT)
    (folder / "spoken.json").write_text(json.dumps({"key_terms": ["hypertension", "chest pain"]}))
    shutil.copy(silence, folder / "quiet.wav")  # no reference: eval skips it, demo shows it
    return folder


def test_eval_json(runner: CliRunner, sample_dir: Path) -> None:
    result = runner.invoke(main, ["eval", str(sample_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["name"] for f in data["files"]] == ["spoken"]
    assert 0 <= data["overall"]["wer"] < 0.5
    assert data["files"][0]["key_terms"] == 2
    assert data["overall"]["key_term_recall"] == data["files"][0]["key_term_recall"]
    assert data["overall"]["rtf"] > 0


def test_eval_table(runner: CliRunner, sample_dir: Path) -> None:
    result = runner.invoke(main, ["eval", str(sample_dir), "--beam-size", "1"])
    assert result.exit_code == 0, result.output
    assert "spoken" in result.stdout and "overall" in result.stdout and "WER" in result.stdout


def test_eval_without_references_fails(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["eval", str(tmp_path)])
    assert result.exit_code == 1
    assert "No audio with a NAME.txt reference" in result.stderr


def test_demo_prints_a_row_per_file(runner: CliRunner, sample_dir: Path, tmp_path: Path) -> None:
    (sample_dir / "broken.flac").write_bytes(b"not audio at all" * 100)
    result = runner.invoke(main, ["demo", str(sample_dir), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    for name in ("spoken.wav", "quiet.wav", "broken.flac", "no speech", "total"):
        assert name in result.stdout
    assert "not audio" in result.stdout  # the reason, in the broken file's row
