"""A real record store for the workstation tests, built once per session and copied per test.

It holds users of every role (argon2 hashes are slow, hence the template), one patient with an
inpatient encounter, a dictation (the session's espeak-ng clip, ~7 s) with its real transcript
from the bundled tiny.en, and a signed discharge summary waiting for the coder.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from tui_support import PASSWORDS

from assistant.config import Settings, TuiSettings
from assistant.models import Encounter, Patient
from assistant.store import (
    Store,
    add_dictation,
    add_encounter,
    bootstrap_admin,
    connect,
    create_user,
    file_document,
    find_user,
    register_patient,
    save_transcript,
    sign,
)

SIGNED_TEXT = (
    "DISCHARGE DIAGNOSES:\nAcute on chronic systolic congestive heart failure. Hypertension.\n\n"
    "HOSPITAL COURSE:\nTreated with intravenous furosemide. He denies chest pain.\n\n"
    "DISPOSITION:\nDischarged home in stable condition.\n"
)


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory, transcriber, spoken_wav) -> Path:
    from dataclasses import replace

    from assistant.transcribe import transcribe_file, transcript_to_dict

    path = tmp_path_factory.mktemp("tui-store") / "template.db"
    store = connect(path)
    admin = bootstrap_admin(store, "admin", PASSWORDS["admin"])
    for name, role in [("drsmith", "physician"), ("tina", "transcriptionist"), ("cody", "coder")]:
        create_user(store, admin, name, role, PASSWORDS[name], display_name=name.title())
    tina, dr = find_user(store, "tina"), find_user(store, "drsmith")
    p = register_patient(
        store, tina, Patient("MRN100231", "Whitaker", "Harold", date(1949, 3, 14), "male")
    )
    e = add_encounter(store, tina, Encounter(p.id, "inpatient", datetime(2026, 11, 17), None))
    fast = replace(transcriber.default_options(), beam_size=1)
    transcript = transcribe_file(transcriber, spoken_wav, fast)
    d = add_dictation(
        store,
        tina,
        audio_sha256=transcript.provenance.audio_sha256,
        path=str(spoken_wav),
        duration=transcript.provenance.audio_duration,
        author="drsmith",
        patient_id=p.id,
        encounter_id=e.id,
        report_type="discharge_summary",
    )
    save_transcript(store, tina, d.id, transcript_to_dict(transcript))
    signed = file_document(
        store,
        dr,
        patient_id=p.id,
        encounter_id=e.id,
        report_type="discharge_summary",
        text=SIGNED_TEXT,
    )
    sign(store, dr, signed.id, password=PASSWORDS["drsmith"])
    store.close()
    return path


@pytest.fixture
def store_path(template_store: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "assistant.db"
    shutil.copy(template_store, dest)
    return dest


@pytest.fixture
def store(store_path: Path):
    s = connect(store_path)
    yield s
    s.close()


@pytest.fixture
def settings() -> Settings:
    return Settings(tui=TuiSettings(idle_lock_seconds=600))


@pytest.fixture
def make(settings: Settings, store: Store, transcriber):
    """Build the app the way the CLI does (tests reuse make_app)."""
    from assistant.tui.app import make_app

    def build(username: str | None = None, **changes):
        from dataclasses import replace

        s = replace(settings, tui=replace(settings.tui, **changes)) if changes else settings
        return make_app(s, transcriber, store, username=username)

    return build


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
