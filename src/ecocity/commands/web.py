"""``ecocity serve``: the dashboard (FastAPI on uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecocity.commands.output import console


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port")] = 8000,
    db: Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL or SQLite file (default WORKSPACE/ecocity-web.db)")] = None,
    workspace: Annotated[Path, typer.Option("--workspace", help="Folder of district folders (default: here)")] = Path("."),
    state_dir: Annotated[Path | None, typer.Option("--state-dir", help="Job outputs (default WORKSPACE/.ecocity-web)")] = None,
    https_only: Annotated[bool, typer.Option("--https-only", help="Session cookie only over HTTPS (behind a TLS proxy)")] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes per job (default: one per core)")] = None,
) -> None:
    """Serve the dashboard; the database is upgraded first (`ecocity db upgrade`)."""
    import uvicorn

    from ecocity.errors import InputError
    from ecocity.store.migrate import display_name, database_url
    from ecocity.web.app import create_app
    from ecocity.web.settings import WebSettings

    if not workspace.is_dir():
        raise InputError("is not a folder", file=workspace, field="--workspace")
    settings = WebSettings(workspace=workspace, db_url=db or "", state_dir=state_dir, https_only=https_only,
                           workers=workers)  # fmt: skip
    app = create_app(settings)
    console.print(f"ecocity dashboard on http://{host}:{port}/ — workspace {settings.workspace}, "
                  f"database {display_name(database_url(settings.db_url))}")  # fmt: skip
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
