"""Alembic migrations of the store's database (run catalogue + dashboard tables).

Revision ``0001`` is the catalogue as :meth:`ecocity.store.Store.open` creates it (schema
version "1": runs, indicators, series, ecocity_meta); ``0002`` adds the dashboard's users and
jobs. A store made by ``Store.open`` (it has ``ecocity_meta`` but no ``alembic_version``) is
checked and *stamped* at ``0001`` before upgrading, never re-created. ``Store.open`` keeps
working on an upgraded database: it finds ``ecocity_meta`` at version "1" and its tables.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ecocity.errors import InputError
from ecocity.store.schema import SCHEMA_VERSION

BASE_REVISION = "0001"
"""The revision that equals schema version "1" of ``Store.open``."""
BUSY_TIMEOUT_S = 60.0


def database_url(path_or_url: str | Path) -> str:
    """A SQLAlchemy URL: URLs as given, a file path as an absolute ``sqlite:///`` URL."""
    text_value = str(path_or_url)
    if "://" in text_value:
        try:
            make_url(text_value)
        except ArgumentError as err:
            raise InputError(f"not a database URL: {err}", file=text_value) from err
        return text_value
    path = Path(text_value).expanduser().resolve()
    if path.is_dir():
        raise InputError("is a folder, expected a database file or URL", file=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def display_name(url: str) -> str:
    """The URL with its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(path_or_url: str | Path) -> Engine:
    """An engine on the database; SQLite files in WAL mode with a busy timeout, usable from
    several threads."""
    url = database_url(path_or_url)
    try:
        if make_url(url).get_backend_name() == "sqlite":
            engine = create_engine(
                url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
            )

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys = ON")
                cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.close()

            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as err:
        raise InputError(f"cannot use this database URL: {err}", file=display_name(url)) from err


def alembic_config() -> Config:
    """Alembic's configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", "ecocity.store:migrations")
    return config


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision (None: not under Alembic)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(path_or_url: str | Path, revision: str = "head") -> str:
    """Bring the database to ``revision`` (default the newest); return the revision reached.

    An empty database gets every table; a ``Store.open`` store is stamped at ``0001`` first.

    Raises
    ------
    InputError
        The database holds tables that are not ecocity's, is an ecocity store of another
        schema version, or cannot be reached; the message names the database.
    """
    url = database_url(path_or_url)
    name = display_name(url)
    engine = make_engine(url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            _stamp_old_store(connection, config, name)
            command.upgrade(config, revision)
        return current_revision(engine) or ""
    except SQLAlchemyError as err:
        raise InputError(
            f"cannot be upgraded: {getattr(err, 'orig', None) or err}", file=name
        ) from err
    finally:
        engine.dispose()


def _stamp_old_store(connection, config: Config, name: str) -> None:  # type: ignore[no-untyped-def]
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables or not tables:
        return
    if "ecocity_meta" not in tables:
        raise InputError(
            f"is not an ecocity database: it holds other tables ({', '.join(sorted(tables))})",
            file=name,
        )
    found = connection.execute(
        text("SELECT value FROM ecocity_meta WHERE key = 'schema_version'")
    ).scalar_one_or_none()
    if found != SCHEMA_VERSION:
        raise InputError(
            f"is an ecocity store of schema version {found}; migrations start at version "
            f"{SCHEMA_VERSION}",
            file=name,
        )
    missing = {"runs", "indicators", "series"} - tables
    if missing:
        raise InputError(f"is a damaged ecocity store: tables {sorted(missing)} are missing", file=name)
    command.stamp(config, BASE_REVISION)
