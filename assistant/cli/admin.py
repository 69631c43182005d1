"""`assistant` commands: store administration (init, users, audit, backup, db)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.app import main
from assistant.cli.common import open_store, sign_in, store_options, to_json

_HEADER_KEYS = ("patient_name", "mrn", "birth_date", "encounter", "author", "dictated_at")


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

    store = open_store(settings, db_path, create=True)
    password = os.environ.get("ASSISTANT_PASSWORD") or click.prompt(
        f"New password for {admin_name}", hide_input=True, confirmation_prompt=True
    )
    admin = bootstrap_admin(store, admin_name, password)
    click.echo(f"Created {store.path} with admin {admin.username}.", err=True)


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
@store_options
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

    store, user, _ = sign_in(settings, o)
    new_password = os.environ.get("ASSISTANT_NEW_PASSWORD") or click.prompt(
        f"New password for {new_username}", hide_input=True, confirmation_prompt=True
    )
    created = create_user(store, user, new_username, role, new_password, display_name)
    click.echo(f"Added {created.username} ({created.role}).")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_options
@click.pass_obj
def users_list_command(settings: Any, as_json: bool, **o: Any) -> None:
    """List users and their roles.

    \b
    Examples:
      assistant users list --user admin
    """
    from assistant.store import list_users

    store, user, _ = sign_in(settings, o)
    users = list_users(store, user)
    if as_json:
        click.echo(to_json(users))
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
@store_options
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
    store, user, _ = sign_in(settings, o)
    with audited(store, user, "verify_audit", permission="read_audit") as scope:
        report = verify(store, head)
        scope.detail = {"ok": report.ok, "first_bad_id": report.first_bad_id}
    if not report.ok:
        raise click.ClickException(f"Audit chain broken: {report.problem}")
    click.echo(f"Audit chain intact: {report.rows} rows, head {report.head_hash[:16]}.")


@audit_group.command("export-head")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@store_options
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

    store, user, _ = sign_in(settings, o)
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
@store_options
@click.pass_obj
def backup_command(settings: Any, dest: Path, **o: Any) -> None:
    """Copy the live store to DEST (online backup API; the copy is integrity-checked).

    \b
    Examples:
      assistant backup /backups/records-2026-01-02.db --user admin
    """
    from assistant.store import backup_store

    store, user, _ = sign_in(settings, o)
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
