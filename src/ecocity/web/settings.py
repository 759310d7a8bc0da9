"""Where the dashboard finds its districts, its database and its state, and its secret key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ecocity.errors import InputError

DB_FILE = "ecocity-web.db"
STATE_FOLDER = ".ecocity-web"
SECRET_FILE = "secret_key"
SECRET_ENV = "ECOCITY_SECRET_KEY"


class WebSettings(BaseModel):
    """Settings of one dashboard.

    Attributes
    ----------
    workspace
        Folder holding the district folders (its sub-folders with a ``district.toml``).
    db_url
        SQLAlchemy URL (``postgresql+psycopg://user@host/ecocity``) or an SQLite file path;
        default ``<workspace>/ecocity-web.db``.
    state_dir
        Results documents and run outputs of the jobs; default ``<workspace>/.ecocity-web/``.
    secret_key
        Signs session cookies and API tokens: ``$ECOCITY_SECRET_KEY``, else a key generated
        once and kept in ``<state_dir>/secret_key`` (mode 0600).
    https_only
        Send the session cookie only over HTTPS (set behind a TLS proxy).
    token_max_age_s
        Life of an API token. [s]
    workers
        Scenario runs in parallel inside one job (``None``: the compute default).
    """

    model_config = ConfigDict(frozen=True)

    workspace: Path = Field(default_factory=Path.cwd)
    db_url: str = ""
    state_dir: Path | None = None
    secret_key: str = ""
    https_only: bool = False
    token_max_age_s: int = Field(default=12 * 3600, gt=0)
    workers: int | None = None

    @model_validator(mode="after")
    def _defaults(self) -> WebSettings:
        workspace = Path(self.workspace).resolve()
        object.__setattr__(self, "workspace", workspace)
        if not self.db_url:
            object.__setattr__(self, "db_url", str(workspace / DB_FILE))
        state = Path(self.state_dir) if self.state_dir is not None else workspace / STATE_FOLDER
        object.__setattr__(self, "state_dir", state.resolve())
        return self

    @property
    def state(self) -> Path:
        """The state folder (created on first use)."""
        assert self.state_dir is not None
        self.state_dir.mkdir(parents=True, exist_ok=True)
        return self.state_dir

    @property
    def series_dir(self) -> Path:
        """Folder of the stored runs' Parquet series."""
        return self.state / "series"

    def jobs_dir(self, job_id: str) -> Path:
        """Output folder of one job."""
        return self.state / "jobs" / job_id

    def resolved_secret(self) -> str:
        """The secret key: the setting, ``$ECOCITY_SECRET_KEY``, or the kept generated key."""
        if self.secret_key:
            return self.secret_key
        if os.environ.get(SECRET_ENV):
            return os.environ[SECRET_ENV]
        assert self.state_dir is not None
        path = self.state_dir / SECRET_FILE
        try:
            if path.is_file():
                return path.read_text(encoding="utf-8").strip()
            key = secrets.token_urlsafe(48)
            try:
                descriptor = os.open(self.state / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process wrote it first
                return path.read_text(encoding="utf-8").strip()
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(key)
            return key
        except OSError as err:
            raise InputError(
                f"cannot keep the dashboard's secret key here ({err.strerror}); set "
                f"{SECRET_ENV} or give a writable --state-dir", file=path,
            ) from err
