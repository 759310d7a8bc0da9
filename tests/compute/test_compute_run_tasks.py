"""run_tasks in-process, on a spawned process pool and on a real Dask LocalCluster."""

import os

import dask
import pytest
from compute_probes import (
    divide,
    meet_then_square,
    pid_and_square,
    reject_two,
    threads_variables,
)

from ecocity import EngineError, InputError
from ecocity.compute import Task, TaskError, run_tasks


def test_one_task_runs_in_this_process():
    assert run_tasks(pid_and_square, [3]) == [(os.getpid(), 9)]


def test_one_worker_runs_in_order_here_and_reports_progress():
    calls = []
    results = run_tasks(pid_and_square, [1, 2, 3], workers=1,
                        progress=lambda done, total: calls.append((done, total)))
    assert results == [(os.getpid(), 1), (os.getpid(), 4), (os.getpid(), 9)]
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_no_tasks_give_no_results():
    assert run_tasks(pid_and_square, []) == []


def test_pool_runs_tasks_at_once_in_other_processes_and_keeps_task_order(tmp_path):
    calls = []
    tasks = [Task(args=(tmp_path, 2, x)) for x in range(2)]
    results = run_tasks(meet_then_square, tasks, workers=2,
                        progress=lambda done, total: calls.append(done))
    assert [value for _, value in results] == [0, 1]
    pids = {pid for pid, _ in results}
    assert len(pids) == 2 and os.getpid() not in pids
    assert calls == [0, 1, 2]


def test_pool_workers_use_one_thread_and_leave_this_environment_alone(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "8")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert run_tasks(threads_variables, [0, 1], workers=2) == [("1", "1"), ("1", "1")]
    assert os.environ["OMP_NUM_THREADS"] == "8"
    assert "OPENBLAS_NUM_THREADS" not in os.environ


@pytest.mark.parametrize("workers", [1, 2], ids=["in_process", "pool"])
def test_an_input_error_in_a_task_stays_an_input_error_naming_the_task(workers):
    tasks = [Task(args=(x,), label=f"scenario-{x}") for x in range(3)]
    with pytest.raises(InputError, match=r"task 2 \('scenario-2'\): scenario.toml") as caught:
        run_tasks(reject_two, tasks, workers=workers)
    assert caught.value.file == "scenario.toml" and caught.value.field == "x"


@pytest.mark.parametrize("workers", [1, 2], ids=["in_process", "pool"])
def test_other_errors_become_task_errors_with_index_and_label(workers):
    tasks = [Task(args=(1.0,), kwargs={"by": 2.0}), Task(args=(1.0,), kwargs={"by": 0.0},
                                                         label="zero")]
    with pytest.raises(TaskError, match=r"task 1 \('zero'\) failed: ZeroDivisionError") as caught:
        run_tasks(divide, tasks, workers=workers)
    assert (caught.value.index, caught.value.label) == (1, "zero")
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_task_keyword_arguments_reach_the_function():
    assert run_tasks(divide, [Task(args=(3.0,), kwargs={"by": 2.0})]) == [1.5]


def test_a_function_that_cannot_be_pickled_is_refused_before_starting():
    with pytest.raises(TypeError, match="top level"):
        run_tasks(lambda x: x, [1, 2], workers=2)


def test_dask_cluster_runs_tasks_at_once_on_its_workers_in_task_order(
    cluster_address, tmp_path
):
    calls = []
    tasks = [Task(args=(tmp_path, 2, x)) for x in range(2)]
    results = run_tasks(meet_then_square, tasks, dask_address=cluster_address,
                        progress=lambda done, total: calls.append((done, total)))
    assert [value for _, value in results] == [0, 1]
    pids = {pid for pid, _ in results}
    assert len(pids) == 2 and os.getpid() not in pids
    assert calls == [(0, 2), (1, 2), (2, 2)]


def test_dask_cluster_returns_many_results_in_task_order(cluster_address):
    results = run_tasks(pid_and_square, list(range(20)), dask_address=cluster_address)
    assert [value for _, value in results] == [x * x for x in range(20)]


def test_dask_cluster_is_used_when_the_environment_names_it(cluster_address, monkeypatch):
    monkeypatch.setenv("ECOCITY_DASK", cluster_address)
    (pid, value), = run_tasks(pid_and_square, [5])
    assert value == 25 and pid != os.getpid()


def test_dask_cluster_keeps_input_errors_and_names_the_task(cluster_address):
    with pytest.raises(InputError, match=r"task 2: scenario.toml"):
        run_tasks(reject_two, [0, 1, 2], dask_address=cluster_address)


def test_dask_workers_use_one_thread(cluster_address):
    assert run_tasks(threads_variables, [0], dask_address=cluster_address) == [("1", "1")]


def test_an_unreachable_scheduler_is_an_engine_error_naming_it():
    with dask.config.set({"distributed.comm.timeouts.connect": "0.5s"}):
        with pytest.raises(EngineError, match="127.0.0.1:9"):
            run_tasks(pid_and_square, [1], dask_address="tcp://127.0.0.1:9")
