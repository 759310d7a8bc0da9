"""Background jobs: a run started from the dashboard, executed in a worker thread through
:mod:`ecocity.compute` (the orchestrators call ``run_tasks``), its state kept in the ``jobs``
table so that it survives a page reload; a server restart marks running jobs as failed.

A queued job can be cancelled before it starts; a running one is cancelled cooperatively: the
progress callback that ``compute`` calls after each finished task raises :class:`JobCancelled`
once a cancel was asked for, so the tasks already running (a process pool's current batch)
finish first. Progress and cancellation are stored as a message key with its values (JSON in
the ``message`` column, see :func:`encode_message`) and put into words per page language by
:func:`message_text`; plain-text messages (errors, rows of older versions) are kept as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import update

from ecocity.errors import EcocityError
from ecocity.store import Store
from ecocity.store.web_tables import (
    JOB_DONE,
    JOB_FAILED,
    JOB_QUEUED,
    JOB_RUNNING,
    JobRow,
)
from ecocity.web.db import Database
from ecocity.web.i18n import fmt_number, translate
from ecocity.web.results import district_folder
from ecocity.web.settings import WebSettings

INTERRUPTED = "interrupted: the server stopped while the job ran"
PROGRESS_INTERVAL_S = 0.5
JOB_CANCELLED = "cancelled"
"""A job stopped on a user's request (the ``status`` column holds it; no schema change)."""
FINISHED = (JOB_DONE, JOB_FAILED, JOB_CANCELLED)

MESSAGES = {
    "progress": "Step {step}: {done} of {total} tasks done",
    "cancelling": "Cancelling (asked by {user}); the tasks already running finish first",
    "cancelled": "Cancelled by {user}",
}
"""Message keys of structured job messages and their English text (translated by the
catalogue ``locale/<lang>/LC_MESSAGES/jobs.po``)."""
_CANCELLING_PREFIX = '{"key": "cancelling"'


class JobCancelled(BaseException):
    """Raised by a job's progress callback when the job was cancelled.

    A ``BaseException`` (like :class:`asyncio.CancelledError`), so that an orchestrator's
    ``except Exception`` does not turn it into a failure.
    """


def encode_message(key: str, **values: Any) -> str:
    """The ``message`` column's text of a structured message: JSON ``{"key": ..., values}``."""
    if key not in MESSAGES:
        raise ValueError(f"unknown job message key {key!r}")
    return json.dumps({"key": key, **values}, ensure_ascii=False)


def decode_message(text: str) -> dict[str, Any] | None:
    """The structured message stored in ``text``, or None for plain text."""
    if not text.startswith('{"key": '):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) and data.get("key") in MESSAGES else None


def message_text(text: str, lang: str) -> str:
    """A job's message in ``lang``: a structured one through the catalogue with its numbers
    formatted per locale; plain text through the catalogue when it has it, else as it is."""
    return detail_text(decode_message(text), text, lang)


def detail_text(detail: dict[str, Any] | None, plain: str, lang: str) -> str:
    """The structured message ``detail`` in ``lang`` (numbers per locale); ``plain`` through
    the catalogue when there is no ``detail``."""
    if detail is None or detail.get("key") not in MESSAGES:
        return translate(plain, lang)
    values = {k: fmt_number(v, lang) if isinstance(v, int | float) and not isinstance(v, bool) else v
              for k, v in detail.items() if k != "key"}  # fmt: skip
    return translate(MESSAGES[detail["key"]], lang, **values)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobRunner:
    """Queues jobs on one worker thread (runs inside a job go through ``compute``)."""

    def __init__(self, settings: WebSettings, db: Database, threads: int = 1) -> None:
        self.settings = settings
        self.db = db
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ecocity-job")
        self._cancel_asked: dict[str, threading.Event] = {}

    def recover(self) -> int:
        """Mark jobs a previous server left queued or running as failed; return how many."""
        with self.db.session() as session:
            result = session.execute(
                update(JobRow)
                .where(JobRow.status.in_([JOB_QUEUED, JOB_RUNNING]))
                .values(status=JOB_FAILED, message=INTERRUPTED, finished_at=_now())
            )
            return int(result.rowcount or 0)

    def submit(self, kind: str, district: str, params: dict[str, Any], username: str) -> JobRow:
        """Record a queued job and start it in the background."""
        folder = district_folder(self.settings, district)  # refuse an unknown district now
        if kind == "assess":
            check_scenarios(folder, params.get("scenarios") or [])
        job_id = uuid.uuid4().hex
        row = JobRow(
            id=job_id, kind=kind, district=district, params=params, status=JOB_QUEUED,
            progress=0.0, message="queued", username=username, created_at=_now(),
            out_dir=str(self.settings.jobs_dir(job_id)), run_ids=[],
        )  # fmt: skip
        with self.db.session() as session:
            session.add(row)
        self._pool.submit(self._run, job_id)
        return row

    def cancel(self, job_id: str, username: str) -> JobRow | None:
        """Cancel job ``job_id`` on behalf of ``username``; return its row, None when unknown.

        A queued job becomes ``cancelled`` now and never starts. A running job is marked
        *cancelling* and stops at its next progress report (:class:`JobCancelled`); the tasks
        already running finish. A finished job is returned unchanged (the caller answers 409).
        """
        now = _now()
        with self.db.session() as session:
            queued = session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.status == JOB_QUEUED)
                .values(status=JOB_CANCELLED, finished_at=now, message=encode_message("cancelled", user=username))
            )  # fmt: skip
            if not queued.rowcount:
                session.execute(
                    update(JobRow).where(JobRow.id == job_id, JobRow.status == JOB_RUNNING)
                    .values(message=encode_message("cancelling", user=username))
                )  # fmt: skip
        with self.db.session() as session:
            row = session.get(JobRow, job_id)
        if row is not None and row.status == JOB_RUNNING and job_id in self._cancel_asked:
            self._cancel_asked[job_id].set()  # runs in this process: stop at its next report
        return row

    def shutdown(self) -> None:
        """Stop taking jobs (a running one finishes in its thread)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _set(self, job_id: str, **values: Any) -> None:
        with self.db.session() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id).values(**values))

    def _run(self, job_id: str) -> None:
        with self.db.session() as session:
            row = session.get(JobRow, job_id)
            if row is None or row.status != JOB_QUEUED:
                return
            kind, district, params, out_dir = row.kind, row.district, dict(row.params), Path(row.out_dir)
            asked = self._cancel_asked.setdefault(job_id, threading.Event())
            started = session.execute(  # only if not cancelled in the meantime
                update(JobRow).where(JobRow.id == job_id, JobRow.status == JOB_QUEUED)
                .values(status=JOB_RUNNING, started_at=_now(), message="running")
            )  # fmt: skip
            if not started.rowcount:
                self._cancel_asked.pop(job_id, None)
                return
        state = {"written_at": 0.0, "shown": 0.0, "phase": 1, "done": 0}

        def progress(done: int, total: int) -> None:
            """``compute``'s callback; an orchestrator with several steps (scenarios, then the
            buildings) restarts its count, so the share shown never goes back. Raises
            :class:`JobCancelled` when the job was cancelled (here or by another process)."""
            if asked.is_set():
                raise JobCancelled(job_id)
            if done < state["done"]:
                state["phase"] += 1
            state["done"] = done
            now = time.monotonic()
            if done < total and now - state["written_at"] < PROGRESS_INTERVAL_S:
                return
            state["written_at"] = now
            share = done / total if total else 1.0
            state["shown"] = max(state["shown"], min(0.99, share))
            if not self._update_running(job_id, progress=state["shown"],
                                        message=encode_message("progress", step=state["phase"], done=done,
                                                               total=total)):  # fmt: skip
                raise JobCancelled(job_id)  # the row says cancelling: asked through another process

        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            run_ids = RUNNERS[kind](self.settings, district, params, out_dir, progress)
        except JobCancelled:
            self._finish_cancelled(job_id)
            return
        except EcocityError as err:
            self._set(job_id, status=JOB_FAILED, message=str(err), finished_at=_now())
            return
        except Exception as err:  # a job must never take the server down; the message says what
            detail = "".join(traceback.format_exception_only(type(err), err)).strip()
            self._set(job_id, status=JOB_FAILED, message=f"internal error: {detail}", finished_at=_now())
            return
        finally:
            self._cancel_asked.pop(job_id, None)
        if asked.is_set() or not self._update_running(job_id, status=JOB_DONE, progress=1.0, message="done",
                                                      finished_at=_now(), run_ids=run_ids):  # fmt: skip
            self._finish_cancelled(job_id)  # asked while its last tasks ran: its outputs are not results

    def _update_running(self, job_id: str, **values: Any) -> bool:
        """Update a running job unless a cancel was asked for it; False when it was."""
        with self.db.session() as session:
            result = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == JOB_RUNNING,
                       ~JobRow.message.startswith(_CANCELLING_PREFIX, autoescape=True))
                .values(**values)
            )  # fmt: skip
            return bool(result.rowcount)

    def _finish_cancelled(self, job_id: str) -> None:
        """Record a running job as cancelled by whoever asked (the row's *cancelling* message)."""
        with self.db.session() as session:
            row = session.get(JobRow, job_id)
            if row is None:
                return
            asked = decode_message(row.message) or {}
            row.status = JOB_CANCELLED
            row.message = encode_message("cancelled", user=asked.get("user", row.username))
            row.finished_at = _now()
            row.run_ids = []


def check_scenarios(folder: Path, names: list[str]) -> None:
    """Refuse scenario names the district does not have (before the job is queued)."""
    from ecocity.errors import InputError
    from ecocity.web.results import scenario_names

    known = ["baseline", *scenario_names(folder)]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InputError(f"unknown scenario {unknown[0]!r}; the district has {', '.join(known)}",
                         field="scenario")  # fmt: skip


def _assess(settings: WebSettings, district: str, params: dict[str, Any], out_dir: Path, progress) -> list[str]:  # type: ignore[no-untyped-def]
    from ecocity.assess import assess_district

    with Store.open(settings.db_url, series_dir=settings.series_dir) as store:
        assessment = assess_district(
            district_folder(settings, district), out_dir, years=params.get("years"),
            scenarios=params.get("scenarios") or None, workers=settings.workers,
            report=bool(params.get("report", False)), progress=progress, store=store,
            language=params.get("language", "en"),
        )  # fmt: skip
    return [s["run_id"] for s in assessment.results["scenarios"]]


def _plant(settings: WebSettings, district: str, params: dict[str, Any], out_dir: Path, progress) -> list[str]:  # type: ignore[no-untyped-def]
    from ecocity.assess import assess_plant, load_inputs
    from ecocity.results import wastewater_section
    from ecocity.errors import InputError

    loaded, _rain = load_inputs(district_folder(settings, district), years=1)
    link = loaded.wastewater
    if link is None:
        raise InputError(f"district {district!r} names no plant (wastewater.toml)", field="district")
    variant = {k: params[k] for k in PLANT_OPTIONS if params.get(k) not in (None, False)}
    if variant:  # planner options of the plant-wide BSM2 (the plant page's variant form)
        return _plant_variant(settings, out_dir, link, loaded.name, params, variant)
    with Store.open(settings.db_url, series_dir=settings.series_dir) as store:
        plant = assess_plant(
            out_dir, params.get("plant") or link.plant, influent=link.influent,
            control=params.get("control") or link.control, days=params.get("days") or link.days,
            standards=link.standards, district=loaded.name, progress=progress, store=store,
        )  # fmt: skip
    section = wastewater_section(plant.result, plant.run_id, cached=plant.cached)
    _write_json(out_dir / "plant.json", section)
    return [plant.run_id]


#: Planner options of a ``plant`` job (``ecocity.wastewater.bsm2_plant.Bsm2Options`` fields).
PLANT_OPTIONS = ("do_setpoint_g_per_m3", "wastage_m3_per_d", "ammonia_control", "ammonia_setpoint_g_per_m3",
                 "codigestion_kg_cod_per_d", "thermal_hydrolysis")


def _plant_variant(settings: WebSettings, out_dir: Path, link: Any, district: str, params: dict[str, Any],
                   variant: dict[str, Any]) -> list[str]:
    """The district's plant-wide BSM2 plant with the planner options ``variant``, into the dashboard's store."""
    from ecocity.errors import InputError
    from ecocity.results import wastewater_section
    from ecocity.wastewater import plantwide
    from ecocity.wastewater.bsm2_plant import Bsm2Options

    if not plantwide.is_plantwide(link.plant):
        raise InputError("planner options need the plant-wide BSM2 plant (plant = \"bsm2\" in wastewater.toml)",
                         field="options")
    with Store.open(settings.db_url, series_dir=settings.series_dir) as store:
        result, run_id, cached = plantwide.plantwide_assessment(
            link.influent, params.get("control") or link.control, params.get("days") or link.days,
            Bsm2Options(**variant), store=store, district=district, standards=link.standards, plant=link.plant,
            **({} if link.grid is None else {"grid": link.grid}),
        )  # fmt: skip
    _write_json(out_dir / "plant.json", wastewater_section(result, str(run_id), cached=cached))
    return [str(run_id)]


def _portfolio(settings: WebSettings, district: str, params: dict[str, Any], out_dir: Path, progress) -> list[str]:  # type: ignore[no-untyped-def]
    from ecocity.assess import buildings_section, load_inputs
    from ecocity.errors import InputError

    loaded, _rain = load_inputs(district_folder(settings, district), years=1)
    if loaded.buildings is None:
        raise InputError(f"district {district!r} names no building portfolio (buildings.toml)", field="district")
    with Store.open(settings.db_url, series_dir=settings.series_dir) as store:
        section = buildings_section(loaded.buildings, workers=settings.workers, progress=progress, store=store)
    _write_json(out_dir / "portfolio.json", section)
    return []


def _write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


RUNNERS = {"assess": _assess, "plant": _plant, "portfolio": _portfolio}
"""What each job kind runs: ``(settings, district key, params, out_dir, progress) -> run ids``."""

__all__ = ["FINISHED", "INTERRUPTED", "JOB_CANCELLED", "JobCancelled", "JobRunner", "MESSAGES", "RUNNERS",
           "check_scenarios", "decode_message", "detail_text", "encode_message", "message_text"]
