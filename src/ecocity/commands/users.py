"""``ecocity users add|list|unlock``: the dashboard's users (names, roles, Argon2id password
hashes, consecutive failed log-ins and account locks)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from ecocity.commands.output import console, print_json
from ecocity.errors import InputError

app = typer.Typer(no_args_is_help=True)

DB_OPT = typer.Option("--db", help="Database: SQLAlchemy URL or SQLite file (default ./ecocity-web.db)")


def _database(db: str | None):  # type: ignore[no-untyped-def]
    from ecocity.store.migrate import upgrade
    from ecocity.web.db import Database
    from ecocity.web.settings import WebSettings

    url = db or WebSettings().db_url
    upgrade(url)
    return Database(url)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password again: ")
    if first != second:
        raise InputError("the two passwords differ", field="password")
    return first


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (no spaces)")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin")] = False,
    db: Annotated[str | None, DB_OPT] = None,
) -> None:
    """Add a user (the password is asked twice, without echo, unless --password-stdin)."""
    from ecocity.web.db import add_user, check_new_user

    check_new_user(name, "x" * 64, role)  # name and role first, before asking for a password
    password = _read_password(password_stdin)
    database = _database(db)
    try:
        user = add_user(database, name, password, role)
    finally:
        database.close()
    console.print(f"added user {user.username} ({user.role})")


@app.command("list")
def list_(
    db: Annotated[str | None, DB_OPT] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the users as JSON")] = False,
) -> None:
    """List the users: role, creation time, consecutive failed log-ins, lock."""
    from ecocity.web.account_lock import account_states

    database = _database(db)
    try:
        users = account_states(database)
    finally:
        database.close()
    if as_json:
        print_json({"users": [{"username": u.username, "role": u.role, "created_at": u.created_at.isoformat(),
                               "failed_logins": u.failed_logins,
                               "locked_at": None if u.locked_at is None else u.locked_at.isoformat()}
                              for u in users]})  # fmt: skip
        return
    for user in users:
        lock = f"locked since {user.locked_at:%Y-%m-%d %H:%M} UTC" if user.locked_at else "unlocked"
        console.print(f"{user.username}\t{user.role}\t{user.created_at:%Y-%m-%d %H:%M}\t"
                      f"{user.failed_logins} failed\t{lock}", soft_wrap=True)  # fmt: skip


@app.command("unlock")
def unlock(
    name: Annotated[str, typer.Argument(help="User name")],
    db: Annotated[str | None, DB_OPT] = None,
) -> None:
    """Unlock an account locked after 100 consecutive failed log-ins (NIST SP 800-63B §5.2.2),
    and reset its count of failed log-ins."""
    from ecocity.web.account_lock import unlock as unlock_account

    database = _database(db)
    try:
        state = unlock_account(database, name, by="the command line")
    finally:
        database.close()
    console.print(f"unlocked user {state.username} (failed log-ins reset to 0)")
