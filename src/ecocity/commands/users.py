"""``ecocity users add|list``: the dashboard's users (names, roles, Argon2id password hashes)."""

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
    """List the users and their roles."""
    from ecocity.web.db import list_users

    database = _database(db)
    try:
        users = list_users(database)
    finally:
        database.close()
    if as_json:
        print_json({"users": [{"username": u.username, "role": u.role,
                               "created_at": u.created_at.isoformat()} for u in users]})  # fmt: skip
        return
    for user in users:
        console.print(f"{user.username}\t{user.role}\t{user.created_at:%Y-%m-%d %H:%M}")
