"""Account lock: a hard cap on consecutive failed log-ins per account, kept in the database.

NIST SP 800-63B §5.2.2 (*Rate Limiting (Throttling)*): the verifier SHALL limit consecutive
failed authentication attempts on a single account to no more than 100. Each failed password
for an existing user adds one to ``users.failed_logins`` (one ``UPDATE … SET failed_logins =
failed_logins + 1``, so concurrent server workers cannot lose a count); the attempt that brings
it to :data:`MAX_CONSECUTIVE_FAILURES` sets ``users.locked_at``. A successful log-in of an
unlocked account resets the count to 0. A locked account refuses every log-in, the right
password included, until an admin unlocks it (:func:`unlock`: ``ecocity users unlock``, the
``/admin/users`` page, ``POST /api/users/{name}/unlock``).

The count lives in the users table, so it is shared by all uvicorn workers and survives
restarts; the in-memory sliding-window throttle (:mod:`ecocity.web.login_limit`) stays in front
of it. Lock and unlock events go to the server log (logger ``ecocity.web.account_lock``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import and_, case, literal, select, update

from ecocity.errors import InputError
from ecocity.store.schema import UTCDateTime
from ecocity.store.web_tables import UserRow
from ecocity.web.db import Database

MAX_CONSECUTIVE_FAILURES = 100
"""Consecutive failed log-ins that lock an account: NIST SP 800-63B §5.2.2's maximum."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountState:
    """A user's role and log-in state (no password hash).

    Attributes
    ----------
    failed_logins
        Consecutive failed log-ins since the last successful one or unlock. [-]
    locked_at
        When the account was locked (UTC), or None when it is not.
    """

    username: str
    role: str
    created_at: dt.datetime
    failed_logins: int
    locked_at: dt.datetime | None

    @property
    def locked(self) -> bool:
        """True while the account refuses log-ins."""
        return self.locked_at is not None


def _state(row: UserRow) -> AccountState:
    return AccountState(username=row.username, role=row.role, created_at=row.created_at,
                        failed_logins=row.failed_logins, locked_at=row.locked_at)  # fmt: skip


def record_failure(
    db: Database, username: str, max_failures: int | None = None, now: dt.datetime | None = None
) -> AccountState | None:
    """Count a failed log-in of ``username``; lock the account at ``max_failures`` in a row.

    Parameters
    ----------
    db
        The dashboard's database.
    username
        The name the requester gave; an unknown name changes nothing.
    max_failures
        Consecutive failures that lock the account (default :data:`MAX_CONSECUTIVE_FAILURES`).
    now
        The lock time if this failure locks the account (default: now, UTC).

    Returns
    -------
    AccountState or None
        The account after the count, or None for an unknown name.
    """
    limit = MAX_CONSECUTIVE_FAILURES if max_failures is None else max_failures
    when = now or dt.datetime.now(dt.UTC)
    reaches = and_(UserRow.locked_at.is_(None), UserRow.failed_logins + 1 >= limit)
    statement = (
        update(UserRow)
        .where(UserRow.username == username)
        .values(failed_logins=UserRow.failed_logins + 1,
                locked_at=case((reaches, literal(when, UTCDateTime())), else_=UserRow.locked_at))  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        session.execute(statement)
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        state = None if row is None else _state(row)
    if state is not None and state.locked and state.failed_logins == limit:
        log.warning("account %r locked after %d consecutive failed log-ins", username, limit)
    return state


def admit(db: Database, username: str) -> bool:
    """After a right password: reset ``username``'s count and return True, or return False
    (changing nothing) when the account is locked. One ``UPDATE``, so a lock set meanwhile by
    another worker is seen."""
    statement = (
        update(UserRow)
        .where(UserRow.username == username, UserRow.locked_at.is_(None))
        .values(failed_logins=0)
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        admitted = session.execute(statement).rowcount == 1
    if not admitted:
        log.warning("log-in refused: account %r is locked (right password)", username)
    return admitted


def unlock(db: Database, username: str, by: str = "an admin") -> AccountState:
    """Unlock ``username`` and reset its count to 0 (an admin's action; ``by`` goes to the log).

    Raises
    ------
    InputError
        No user has this name (field ``username``).
    """
    statement = (
        update(UserRow)
        .where(UserRow.username == username)
        .values(failed_logins=0, locked_at=None)
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        session.execute(statement)
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            raise InputError(f"no user is called {username!r}", field="username")
        state = _state(row)
    log.warning("account %r unlocked by %s", username, by)
    return state


def account_state(db: Database, username: str) -> AccountState | None:
    """``username``'s state, or None when no user has this name."""
    with db.session() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        return None if row is None else _state(row)


def account_states(db: Database) -> list[AccountState]:
    """Every user's state, by name."""
    with db.session() as session:
        return [_state(row) for row in session.scalars(select(UserRow).order_by(UserRow.username))]
