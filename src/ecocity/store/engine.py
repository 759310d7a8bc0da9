"""Where the catalogue lives: resolving a path or URL to a SQLAlchemy engine, and checking it.

A folder or a file path means an SQLite file (``<folder>/ecocity.db`` for a folder), opened in
WAL mode with a busy timeout so several processes can save at once; write transactions begin
with ``BEGIN IMMEDIATE`` so two writers queue instead of deadlocking. Anything containing
``://`` is a SQLAlchemy URL (PostgreSQL for multi-user deployments).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from ecocity.errors import InputError
from ecocity.store.schema import SCHEMA_VERSION, Base, Meta

DB_FILE = "ecocity.db"
SERIES_FOLDER = "series"
BUSY_TIMEOUT_S = 60.0
WRITE_OPTION = "ecocity_write"
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Location:
    """A resolved store: its engine, its series folder, how to name it, whether it is writable."""

    engine: Engine
    series_dir: Path
    name: str
    readonly: bool


def resolve(path_or_url: str | Path, series_dir: str | Path | None) -> Location:
    """Turn ``Store.open``'s argument into an engine on a checked, ready catalogue."""
    text = str(path_or_url)
    if "://" in text:
        location = _from_url(text, series_dir)
    else:
        location = _from_path(Path(path_or_url), series_dir)
    prepare(location)
    return location


def _from_path(path: Path, series_dir: str | Path | None) -> Location:
    is_folder = path.is_dir() or (not path.exists() and not path.suffix)
    db_file = path / DB_FILE if is_folder else path
    if db_file.is_dir():
        raise InputError("is a folder, expected an ecocity store file", file=db_file)
    _check_sqlite_header(db_file)
    readonly = db_file.exists() and not (
        os.access(db_file, os.W_OK) and os.access(db_file.parent, os.W_OK)
    )
    if not readonly:
        try:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"cannot create the store's folder: {err}", file=db_file) from err
    mode = "ro" if readonly else "rwc"
    uri = f"file:{quote(str(db_file.resolve()))}?mode={mode}"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)

    # The "sqlite://" URL would get SingletonThreadPool (one connection per thread, extra ones
    # closed under another thread's feet: a segfault when a web server's threads share the store).
    # A queue pool hands each thread its own connection, as for any file database.
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)
    _configure_sqlite(engine, wal=not readonly)
    folder = Path(series_dir) if series_dir is not None else db_file.parent / SERIES_FOLDER
    return Location(engine, folder, str(db_file), readonly)


def _from_url(text: str, series_dir: str | Path | None) -> Location:
    try:
        url = make_url(text)
    except ArgumentError as err:
        raise InputError(f"not a database URL: {err}", file=text) from err
    name = url.render_as_string(hide_password=True)
    database = url.database or ""
    is_sqlite_file = url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if series_dir is None:
        if not is_sqlite_file:
            raise InputError(
                "a store at a database URL needs series_dir= (a folder for the Parquet series)",
                file=name,
            )
        series_dir = Path(database).parent / SERIES_FOLDER
    if is_sqlite_file:
        _check_sqlite_header(Path(database))
    try:
        connect_args = {"timeout": BUSY_TIMEOUT_S} if url.get_backend_name() == "sqlite" else {}
        engine = create_engine(url, connect_args=connect_args)
    except (ArgumentError, ImportError) as err:
        raise InputError(f"cannot use this database URL: {err}", file=name) from err
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, wal=True)
    return Location(engine, Path(series_dir), name, readonly=False)


def _check_sqlite_header(db_file: Path) -> None:
    if not db_file.is_file() or db_file.stat().st_size == 0:
        return
    try:
        with db_file.open("rb") as stream:
            header = stream.read(len(_SQLITE_HEADER))
    except OSError as err:
        raise InputError(f"cannot read the store file: {err.strerror}", file=db_file) from err
    if header != _SQLITE_HEADER:
        raise InputError(
            "is not an ecocity store (not an SQLite database); give a new file name or the "
            "output folder",
            file=db_file,
        )


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    """WAL journal, foreign keys, busy timeout, and our own BEGIN (IMMEDIATE for writes)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # durable in WAL but for power loss
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def prepare(location: Location) -> None:
    """Create the tables in an empty database, or check that an existing one is ours."""
    try:
        with location.engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: not location.readonly})
            with connection.begin():
                _create_or_check(connection, location)
    except SQLAlchemyError as err:
        raise InputError(
            f"cannot be opened as an ecocity store: {getattr(err, 'orig', None) or err}",
            file=location.name,
        ) from err


def _create_or_check(connection: Connection, location: Location) -> None:
    tables = set(inspect(connection).get_table_names())
    ours = set(Base.metadata.tables)
    if Meta.__tablename__ not in tables:
        clash = sorted(tables & ours)
        foreign = connection.dialect.name == "sqlite" and tables
        if clash or foreign:
            raise InputError(
                "is not an ecocity store: it holds other tables "
                f"({', '.join(sorted(tables))}); give a new file name or an empty database",
                file=location.name,
            )
        if location.readonly:
            raise InputError("is an empty, read-only database", file=location.name)
        Base.metadata.create_all(connection)
        connection.execute(
            Meta.__table__.insert().values(key="schema_version", value=SCHEMA_VERSION)
        )
        return
    found = connection.execute(
        select(Meta.value).where(Meta.key == "schema_version")
    ).scalar_one_or_none()
    if found != SCHEMA_VERSION:
        raise InputError(
            f"is an ecocity store of schema version {found}, this ecocity reads version "
            f"{SCHEMA_VERSION}",
            file=location.name,
        )
    missing = sorted(ours - tables)
    if missing:
        raise InputError(
            f"is a damaged ecocity store: tables {missing} are missing", file=location.name
        )
