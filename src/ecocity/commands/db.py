"""``ecocity db upgrade``: bring a store's database to the newest schema (Alembic)."""

from __future__ import annotations

from typing import Annotated

import typer

from ecocity.commands.output import console

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(
    db: Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL or SQLite file (default ./ecocity-web.db)")] = None,
    revision: Annotated[str, typer.Option("--revision", help="Target revision")] = "head",
) -> None:
    """Create or upgrade the tables; a store made by `ecocity assess` is stamped, not re-created."""
    from ecocity.store.migrate import display_name, database_url, upgrade
    from ecocity.web.settings import WebSettings

    url = database_url(db or WebSettings().db_url)
    reached = upgrade(url, revision)
    console.print(f"{display_name(url)}: at revision {reached}")


@app.command("current")
def current_command(
    db: Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL or SQLite file (default ./ecocity-web.db)")] = None,
) -> None:
    """Print the database's revision (none: not under Alembic yet)."""
    from ecocity.store.migrate import current_revision, database_url, head_revision, make_engine
    from ecocity.web.settings import WebSettings

    engine = make_engine(database_url(db or WebSettings().db_url))
    try:
        console.print(f"{current_revision(engine) or 'none'} (newest {head_revision()})")
    finally:
        engine.dispose()
