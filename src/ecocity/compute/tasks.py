"""What a task is, how a worker calls it, and how its failure comes back to the caller."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ecocity.errors import EcocityError, EngineError


@dataclass(frozen=True)
class Task:
    """A call ``fn(*args, **kwargs)`` with a label for progress and error messages.

    A plain object in ``run_tasks``' task list stands for ``fn(obj)``; a ``Task`` for a call
    with several arguments, e.g. ``Task(args=(district, scenario), label="tongzhou/sponge")``.
    Arguments must be picklable: they travel to another process or machine.
    """

    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""


class TaskError(EngineError):
    """A task failed with an error that is not an ecocity error (a bug, a crashed worker).

    ``index`` is the task's position in the list, ``label`` its label ("" when it had none);
    the original exception is the ``__cause__``.
    """

    def __init__(self, message: str, *, index: int, label: str) -> None:
        super().__init__(message)
        self.index = index
        self.label = label


def call_task(fn: Callable[..., Any], task: Any, shared: tuple[Any, ...] = ()) -> Any:
    """Run one task in whichever process received it: ``fn(*shared, *task.args, **task.kwargs)``."""
    if isinstance(task, Task):
        return fn(*shared, *task.args, **task.kwargs)
    return fn(*shared, task)


def describe(index: int, task: Any) -> str:
    """``task 3`` or ``task 3 ('tongzhou/sponge')``."""
    label = task.label if isinstance(task, Task) else ""
    return f"task {index} ({label!r})" if label else f"task {index}"


def raise_task_error(index: int, task: Any, error: BaseException) -> NoReturn:
    """Raise ``error`` again in the caller with the task named in its message.

    An ecocity error keeps its type and attributes (an ``InputError`` stays one, with its
    ``file``); anything else becomes a :class:`TaskError`. The original is the cause.
    """
    where = describe(index, task)
    if isinstance(error, EcocityError):
        kind = type(error)
        named = kind.__new__(kind)
        named.__dict__.update(error.__dict__)
        named.args = (f"{where}: {error}",)
        raise named from error
    label = task.label if isinstance(task, Task) else ""
    raise TaskError(
        f"{where} failed: {type(error).__name__}: {error}", index=index, label=label
    ) from error
