"""The run catalogue: save an area's result once, find it again by its inputs' hash, load it.

Caching rule: a run is identified by ``(input_hash, area)``. Saving the same pair again keeps
the earlier run (history is never deleted) and :meth:`Store.find` returns the newest complete
one. A save first records the run as ``writing``, then writes its series and figures, then
records indicators and marks it ``complete`` in one transaction; a save that fails is marked
``failed``. Only complete runs are found and loaded.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ecocity.errors import InputError
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.store import files
from ecocity.store.engine import WRITE_OPTION, Location, resolve
from ecocity.store.schema import (
    RUN_COMPLETE,
    RUN_FAILED,
    RUN_WRITING,
    IndicatorRow,
    Run,
    SeriesRow,
)


@dataclass(frozen=True)
class RunRecord:
    """One row of the catalogue. ``created_at`` is UTC; ``wall_time_s`` in [s]."""

    id: str
    district: str
    scenario: str
    area: str
    input_hash: str
    ecocity_version: str
    engine_versions: dict[str, str]
    created_at: dt.datetime
    wall_time_s: float
    status: str

    @property
    def versions(self) -> dict[str, str]:
        """Every recorded version, ecocity's included (as :func:`versions` returned them)."""
        return {"ecocity": self.ecocity_version, **self.engine_versions}

    @classmethod
    def _from_row(cls, row: Run) -> RunRecord:
        return cls(
            id=row.id,
            district=row.district,
            scenario=row.scenario,
            area=row.area,
            input_hash=row.input_hash,
            ecocity_version=row.ecocity_version,
            engine_versions=dict(row.engine_versions),
            created_at=row.created_at,
            wall_time_s=row.wall_time_s,
            status=row.status,
        )


class Store:
    """A run catalogue in SQL plus the runs' series as Parquet. Open with :meth:`open`."""

    def __init__(self, location: Location) -> None:
        self._location = location

    @classmethod
    def open(cls, path_or_url: str | Path, series_dir: str | Path | None = None) -> Store:
        """Open (creating if needed) the store at a folder, an SQLite file or a database URL.

        Parameters
        ----------
        path_or_url
            An output folder (the store is ``<folder>/ecocity.db``), a file path with a
            suffix (an SQLite file), or a SQLAlchemy URL such as
            ``postgresql+psycopg://user@host/ecocity``.
        series_dir
            Folder of the runs' series (``<series_dir>/<run id>/<name>.parquet``). Defaults
            to ``series/`` beside an SQLite file; required for other databases.

        Raises
        ------
        InputError
            The file is not an SQLite database, is an SQLite database of something else, is
            damaged, or the URL cannot be used; the message names the file or URL.
        """
        return cls(resolve(path_or_url, series_dir))

    @property
    def name(self) -> str:
        """The store's file, or its URL with the password hidden."""
        return self._location.name

    @property
    def series_dir(self) -> Path:
        """The folder holding one sub-folder of series per run."""
        return self._location.series_dir

    @property
    def readonly(self) -> bool:
        """True when the store file cannot be written (it can still be read)."""
        return self._location.readonly

    def close(self) -> None:
        """Release the database connections."""
        self._location.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def find(self, input_hash: str, area: str) -> RunRecord | None:
        """The newest complete run of ``area`` with these inputs, or None."""
        query = (
            select(Run)
            .where(Run.input_hash == input_hash, Run.area == area, Run.status == RUN_COMPLETE)
            .order_by(Run.created_at.desc(), Run.id.desc())
            .limit(1)
        )
        with self._session() as session:
            row = session.scalars(query).first()
            return None if row is None else RunRecord._from_row(row)

    def run(self, run_id: str) -> RunRecord | None:
        """The run ``run_id`` (any status), or None."""
        with self._session() as session:
            row = session.get(Run, run_id)
            return None if row is None else RunRecord._from_row(row)

    def runs(self, district: str | None = None) -> list[RunRecord]:
        """Every run (any status), oldest first; only ``district``'s when given."""
        query = select(Run).order_by(Run.created_at, Run.id)
        if district is not None:
            query = query.where(Run.district == district)
        with self._session() as session:
            return [RunRecord._from_row(row) for row in session.scalars(query)]

    def save(
        self,
        result: AreaResult,
        *,
        district: str,
        input_hash: str,
        versions: Mapping[str, str],
        wall_time_s: float,
    ) -> str:
        """Record an area's result and return the new run's id.

        Parameters
        ----------
        result
            What the area's ``assess`` returned.
        district
            The district's name.
        input_hash
            :func:`hash_inputs` of everything the result depends on.
        versions
            :func:`versions` at the time of the run; must name ``ecocity``.
        wall_time_s
            Wall-clock time of the computation. [s]

        Raises
        ------
        InputError
            The store is read-only or cannot be written.
        """
        if self.readonly:
            raise InputError("the store is read-only; results cannot be saved", file=self.name)
        if "ecocity" not in versions:
            raise ValueError("versions must name the ecocity version; use versions()")
        names = list(result.series)
        files.check_series_names(names)
        run_id = uuid.uuid4().hex
        engine_versions = {k: str(v) for k, v in versions.items() if k != "ecocity"}
        run = Run(
            id=run_id,
            district=district,
            scenario=result.scenario,
            area=result.area,
            input_hash=input_hash,
            ecocity_version=str(versions["ecocity"]),
            engine_versions=engine_versions,
            created_at=dt.datetime.now(dt.UTC),
            wall_time_s=float(wall_time_s),
            status=RUN_WRITING,
        )
        with self._session(write=True) as session:
            session.add(run)
        try:
            series_rows = self._write_files(run_id, result)
            with self._session(write=True) as session:
                session.add_all(_indicator_rows(run_id, result.indicators))
                session.add_all(series_rows)
                session.execute(
                    update(Run).where(Run.id == run_id).values(status=RUN_COMPLETE)
                )
        except BaseException:
            # Keep the original error; a store that cannot even record the failure says so
            # through the status left at "writing".
            with suppress(InputError), self._session(write=True) as session:
                session.execute(update(Run).where(Run.id == run_id).values(status=RUN_FAILED))
            raise
        return run_id

    def load(self, run_id: str) -> AreaResult:
        """The result saved as ``run_id``: indicators, series and figures as they were saved.

        Raises
        ------
        InputError
            No such run, the run is not complete, or one of its files is missing.
        """
        with self._session() as session:
            run = session.get(Run, run_id)
            if run is None:
                raise InputError(f"no run {run_id!r} in this store", file=self.name)
            if run.status != RUN_COMPLETE:
                raise InputError(f"run {run_id!r} is {run.status}, not complete", file=self.name)
            indicator_rows = session.scalars(
                select(IndicatorRow)
                .where(IndicatorRow.run_id == run_id)
                .order_by(IndicatorRow.position)
            ).all()
            series_rows = session.scalars(
                select(SeriesRow).where(SeriesRow.run_id == run_id).order_by(SeriesRow.position)
            ).all()
            area, scenario = run.area, run.scenario
            indicators = tuple(_indicator(row) for row in indicator_rows)
            series_files = [(row.name, row.file) for row in series_rows]
        series = {name: files.read_series(self.series_dir / file) for name, file in series_files}
        figures = files.read_figures(self.series_dir / run_id / files.FIGURES_FILE)
        return AreaResult(
            area=area, scenario=scenario, indicators=indicators, series=series, figures=figures
        )

    def _write_files(self, run_id: str, result: AreaResult) -> list[SeriesRow]:
        folder = self.series_dir / run_id
        try:
            folder.mkdir(parents=True, exist_ok=False)
        except OSError as err:
            raise InputError(f"cannot create the run's series folder: {err}", file=folder) from err
        rows = []
        for position, (name, frame) in enumerate(result.series.items()):
            file_name = files.series_file_name(name)
            files.write_series(folder / file_name, frame)
            rows.append(
                SeriesRow(run_id=run_id, name=name, position=position, file=f"{run_id}/{file_name}")
            )
        files.write_figures(folder / files.FIGURES_FILE, result.figures)
        return rows

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """A session in one transaction (``BEGIN IMMEDIATE`` on SQLite when writing)."""
        try:
            with self._location.engine.connect() as connection:
                connection.execution_options(**{WRITE_OPTION: write})
                with connection.begin(), Session(bind=connection) as session:
                    yield session
                    session.flush()
        except SQLAlchemyError as err:
            problem = getattr(err, "orig", None) or err
            raise InputError(f"store cannot be used: {problem}", file=self.name) from err


def _indicator_rows(run_id: str, indicators: tuple[Indicator, ...]) -> list[IndicatorRow]:
    return [
        IndicatorRow(
            run_id=run_id,
            position=position,
            name=item.name,
            scope=item.scope,
            value=None if math.isnan(item.value) else float(item.value),
            unit=item.unit,
            target=item.target,
            passed=item.passed,
            source=item.source,
        )
        for position, item in enumerate(indicators)
    ]


def _indicator(row: IndicatorRow) -> Indicator:
    return Indicator(
        name=row.name,
        value=math.nan if row.value is None else row.value,
        unit=row.unit,
        scope=row.scope,
        target=row.target,
        passed=row.passed,
        source=row.source,
    )
