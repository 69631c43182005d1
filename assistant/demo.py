"""The main job on a folder of sample dictations, as `make run` shows it.

A demo record store is created (an admin, a transcriptionist, a coder, and a physician account
for every author named in the sidecars), the folder is processed by the batch engine into
preliminary reports, and each filed report gets its suggested ICD-10 codes and completeness
review. Rerunning skips files already filed (the batch is idempotent).

The demo accounts share one published password: a demo store holds synthetic patients only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.batch import BatchOptions, FileResult, process_folder
from assistant.batch_files import scan_folder, sidecar_path
from assistant.config import Settings

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-password"
DEMO_STAFF = (("admin", "him"), ("tina", "transcriptionist"), ("carl", "coder"))


@dataclass(frozen=True)
class DemoRow:
    result: FileResult
    words: int = 0
    report_type: str | None = None
    codes: tuple[str, ...] = ()  # suggested ICD-10 codes, principal first
    deficiencies: int = 0


def prepare_store(db_path: Path, folder: Path) -> list[str]:
    """Create the demo store and its accounts (once); returns the user names created."""
    from assistant.errors import NotFound
    from assistant.store import bootstrap_admin, connect, create_user, find_user

    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = connect(db_path)
    try:
        try:
            admin = find_user(store, "admin")
        except NotFound:
            admin = bootstrap_admin(store, "admin", DEMO_PASSWORD, "Demo records admin")
        wanted = [*DEMO_STAFF[1:], *((a, "physician") for a in sorted(_authors(folder)))]
        created = []
        for username, role in wanted:
            try:
                find_user(store, username)
            except NotFound:
                create_user(store, admin, username, role, DEMO_PASSWORD)
                created.append(username)
        return created
    finally:
        store.close()


def _authors(folder: Path) -> set[str]:
    authors = set()
    for audio in scan_folder(folder):
        sidecar = sidecar_path(audio)
        if sidecar is not None and sidecar.exists():
            author = json.loads(sidecar.read_text(encoding="utf-8")).get("author")
            if author:
                authors.add(author)
    return authors


def run_demo(
    folder: Path, db_path: Path, settings: Settings | None = None, workers: int = 0
) -> Iterator[DemoRow]:
    """Batch the folder into the demo store, then code and review each filed report."""
    settings = settings or Settings()
    prepare_store(db_path, folder)
    results = list(process_folder(folder, db_path, settings, BatchOptions(workers=workers)))
    yield from _review(db_path, results, settings)


def _review(db_path: Path, results: list[FileResult], settings: Settings) -> Iterator[DemoRow]:
    from assistant.coding import open_index, suggest_codes
    from assistant.reports import load_templates, report_from_dict, review_completeness
    from assistant.store import authenticate, connect, get_document, utcnow

    store = connect(db_path)
    coder = authenticate(store, "carl", DEMO_PASSWORD)
    index = open_index()
    templates = load_templates(settings.reports.template_dirs)
    try:
        for result in results:
            if result.document_id is None:
                yield DemoRow(result)
                continue
            doc = get_document(store, coder, result.document_id)
            template = templates[doc.report_type]
            sections = list(doc.version.sections)
            report = report_from_dict({"report_type": doc.report_type, "sections": sections})
            codes = tuple(s.code.code for s in suggest_codes(report, index))
            now = _parse(utcnow())
            deficiencies = review_completeness(
                report,
                template,
                signed_at=None,
                created_at=_parse(doc.created_at),
                now=now,
                diagnosis_codes=codes,
            )
            yield DemoRow(
                result,
                words=len(doc.version.text.split()),
                report_type=doc.report_type,
                codes=codes,
                deficiencies=len(deficiencies),
            )
    finally:
        store.close()


def _parse(timestamp: str):
    from datetime import datetime

    return datetime.fromisoformat(timestamp)
