"""The dashboard's database: an engine on the store's database, sessions, users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ecocity.errors import InputError
from ecocity.store.migrate import make_engine
from ecocity.store.web_tables import ROLES, UserRow

_HASHER = PasswordHasher()
"""Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: t=3, m=64 MiB, p=4)."""
USERNAME_MAX = 64
PASSWORD_MIN = 8


@dataclass(frozen=True)
class User:
    """A logged-in user (no password hash)."""

    username: str
    role: str
    created_at: dt.datetime

    def can(self, role: str) -> bool:
        """True when this user's role is ``role`` or above (viewer < editor < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)


class Database:
    """The engine the dashboard shares between requests and job threads."""

    def __init__(self, path_or_url: str) -> None:
        self.engine: Engine = make_engine(path_or_url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


def _user(row: UserRow) -> User:
    return User(username=row.username, role=row.role, created_at=row.created_at)


def check_new_user(username: str, password: str, role: str) -> None:
    """Refuse an empty or over-long name, a short password or an unknown role."""
    if not username or len(username) > USERNAME_MAX or not username.isprintable() or " " in username:
        raise InputError(
            f"a user name is 1-{USERNAME_MAX} printable characters without spaces", field="username"
        )
    if len(password) < PASSWORD_MIN:
        raise InputError(f"a password has at least {PASSWORD_MIN} characters", field="password")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, got {role!r}", field="role")


def add_user(db: Database, username: str, password: str, role: str) -> User:
    """Create a user; the password is stored as an Argon2id hash (argon2-cffi defaults)."""
    check_new_user(username, password, role)
    row = UserRow(
        username=username,
        password_hash=_HASHER.hash(password),
        role=role,
        created_at=dt.datetime.now(dt.UTC),
    )
    try:
        with db.session() as session:
            session.add(row)
    except IntegrityError as err:
        raise InputError(f"user {username!r} exists already", field="username") from err
    return _user(row)


def list_users(db: Database) -> list[User]:
    """Every user, by name."""
    with db.session() as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.username))]


def get_user(db: Database, username: str) -> User | None:
    """The user called ``username``, or None."""
    with db.session() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        return None if row is None else _user(row)


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The user when the password matches its hash, else None (same work either way)."""
    with db.session() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        stored = row.password_hash if row is not None else _dummy_hash()
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = _HASHER.hash(password)
        return _user(row)


_DUMMY: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    """A hash to verify against for unknown names, so they take as long as known ones."""
    if _HASHER not in _DUMMY:
        _DUMMY[_HASHER] = _HASHER.hash("not a password of anyone")
    return _DUMMY[_HASHER]


_DATABASES: dict[str, Database] = {}


def database(path_or_url: str) -> Database:
    """The shared :class:`Database` of a URL or path (one engine per database per process)."""
    if path_or_url not in _DATABASES:
        _DATABASES[path_or_url] = Database(path_or_url)
    return _DATABASES[path_or_url]
