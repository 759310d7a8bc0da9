"""The one error hierarchy of ecocity.

Input problems are :class:`InputError` and name the file, the record and the field; the CLI
prints them without a traceback and exits 2.
"""

from __future__ import annotations

from pathlib import Path


class EcocityError(Exception):
    """Root of every error ecocity raises on purpose."""


class InputError(EcocityError):
    """A user's input is wrong: a file, a record in it, a field of the record.

    Parameters
    ----------
    problem
        What is wrong and what would be right.
    file
        The file the problem is in, if any.
    record
        The record (feature id, row number, table name) inside the file, if any.
    field
        The field of the record, if any.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.record = record
        self.field = field
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.record:
            where.append(f"record {self.record!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


class ModelError(EcocityError):
    """A model ran but its result cannot be trusted (e.g. a continuity error above 1 %)."""


class EngineError(EcocityError):
    """An external engine (SWMM, a solver, a cluster) failed to run."""
