"""Constants and the server handle shared by the end-to-end tests and their fixtures."""

from __future__ import annotations

from pathlib import Path

EDITOR = "e2e-editor"
PASSWORD = "e2e correct horse 42"


class Server:
    """A running dashboard: its base URL, workspace and log file."""

    def __init__(self, url: str, workspace: Path, log: Path) -> None:
        self.url = url
        self.workspace = workspace
        self.log = log

    def log_tail(self, n: int = 40) -> str:
        """The last ``n`` lines of the server's log."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-n:])
