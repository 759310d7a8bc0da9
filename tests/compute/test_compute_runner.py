"""A Runner keeps its process pool (or Dask client) across batches, with run_tasks' semantics."""

import os
import signal
import time

import pytest
from compute_probes import die_on_one, divide, meet_then_square, pid_and_square, reject_two

import ecocity.compute.cluster as cluster_module
from ecocity import InputError
from ecocity.compute import Task, TaskError, open_runner, run_tasks


def _pids(results):
    return {pid for pid, _ in results}


def test_a_runner_reused_for_three_batches_starts_its_workers_once():
    with open_runner(workers=2) as runner:
        batches = [runner.run(pid_and_square, list(range(6))) for _ in range(3)]
    for results in batches:
        assert [value for _, value in results] == [x * x for x in range(6)]
    pids = set().union(*map(_pids, batches))
    assert 1 <= len(pids) <= 2 and os.getpid() not in pids


def test_a_runner_batch_runs_tasks_at_once_and_reports_progress(tmp_path):
    calls = []
    with open_runner(workers=2) as runner:
        results = runner.run(meet_then_square, [Task(args=(tmp_path, 2, x)) for x in range(2)],
                             progress=lambda done, total: calls.append((done, total)))
    assert [value for _, value in results] == [0, 1]
    assert len(_pids(results)) == 2
    assert calls == [(0, 2), (1, 2), (2, 2)]


def test_an_error_in_one_batch_leaves_the_pool_working_for_the_next():
    tasks = [Task(args=(x,), label=f"scenario-{x}") for x in range(4)]
    with open_runner(workers=2) as runner:
        first = runner.run(pid_and_square, [1, 2, 3])
        with pytest.raises(InputError, match=r"task 2 \('scenario-2'\): scenario.toml") as caught:
            runner.run(reject_two, tasks)
        third = runner.run(pid_and_square, [4, 5, 6])
    assert caught.value.field == "x"
    assert [value for _, value in third] == [16, 25, 36]
    assert len(_pids(first) | _pids(third)) <= 2  # the same workers, not a new pool


def test_a_worker_that_dies_breaks_its_batch_and_the_next_batch_gets_a_new_pool():
    with open_runner(workers=2) as runner:
        before = runner.run(pid_and_square, [1, 2])
        with pytest.raises(TaskError, match="BrokenProcessPool"):
            runner.run(die_on_one, [0, 1, 2])
        after = runner.run(pid_and_square, [3, 4])
    assert [value for _, value in after] == [9, 16]
    assert not _pids(before) & _pids(after)


@pytest.mark.parametrize("workers", [1, 2], ids=["in_process", "pool"])
def test_a_runner_gives_the_results_and_errors_of_run_tasks(workers):
    tasks = [Task(args=(1.0,), kwargs={"by": 2.0}), Task(args=(3.0,), kwargs={"by": 4.0})]
    failing = tasks + [Task(args=(1.0,), kwargs={"by": 0.0}, label="zero")]
    with open_runner(workers=workers) as runner:
        assert runner.run(divide, tasks) == run_tasks(divide, tasks, workers=workers) == [0.5, 0.75]
        with pytest.raises(TaskError, match=r"task 2 \('zero'\) failed: ZeroDivision") as caught:
            runner.run(divide, failing)
    assert (caught.value.index, caught.value.label) == (2, "zero")


def test_run_tasks_uses_a_runner_it_is_given_and_leaves_it_open():
    with open_runner(workers=2) as runner:
        first = run_tasks(pid_and_square, [1, 2, 3], runner=runner)
        second = run_tasks(pid_and_square, [4, 5, 6], runner=runner)
    assert [value for _, value in first + second] == [1, 4, 9, 16, 25, 36]
    assert len(_pids(first) | _pids(second)) <= 2


def test_run_tasks_refuses_pool_settings_beside_a_runner():
    with open_runner(workers=1) as runner:
        with pytest.raises(ValueError, match="open_runner"):
            run_tasks(pid_and_square, [1], workers=2, runner=runner)


def test_a_closed_runner_refuses_to_run():
    with open_runner(workers=1) as runner:
        assert runner.run(pid_and_square, [2]) == [(os.getpid(), 4)]
    with pytest.raises(RuntimeError, match="closed"):
        runner.run(pid_and_square, [2])


def test_a_runner_needs_at_least_one_worker():
    with pytest.raises(ValueError, match="at least 1"):
        open_runner(workers=0)


def test_a_runner_on_dask_connects_once_for_many_batches(cluster_address, monkeypatch):
    connections = []

    def counting_connect(address):
        connections.append(address)
        return connect(address)

    connect = cluster_module.connect
    monkeypatch.setattr(cluster_module, "connect", counting_connect)
    with open_runner(dask_address=cluster_address) as runner:
        first = runner.run(pid_and_square, list(range(5)))
        with pytest.raises(InputError, match=r"task 2: scenario.toml"):
            runner.run(reject_two, [0, 1, 2])
        third = runner.run(pid_and_square, [7])
    assert connections == [cluster_address]
    assert [value for _, value in first] == [x * x for x in range(5)] and third[0][1] == 49
    assert os.getpid() not in _pids(first) | _pids(third)


def test_a_runner_reads_the_dask_address_from_the_environment(cluster_address, monkeypatch):
    monkeypatch.setenv("ECOCITY_DASK", cluster_address)
    with open_runner() as runner:
        assert runner.dask_address == cluster_address
        (pid, value), = runner.run(pid_and_square, [5])
    assert value == 25 and pid != os.getpid()


def test_a_batch_needing_more_workers_than_the_pool_has_gets_a_larger_pool(tmp_path):
    with open_runner(workers=3) as runner:
        small = runner.run(pid_and_square, [1, 2])
        large = runner.run(meet_then_square, [Task(args=(tmp_path, 3, x)) for x in range(3)])
    assert len(_pids(small)) <= 2
    assert [value for _, value in large] == [0, 1, 4] and len(_pids(large)) == 3


def test_a_worker_killed_between_batches_is_replaced_by_a_new_pool_for_the_next_batch():
    with open_runner(workers=2) as runner:
        before = runner.run(pid_and_square, [1, 2])
        os.kill(next(iter(_pids(before))), signal.SIGKILL)
        executor = runner._pool._executor  # CPython marks the pool broken when it sees the death
        deadline = time.monotonic() + 20.0
        while not executor._broken and time.monotonic() < deadline:
            time.sleep(0.02)
        after = runner.run(pid_and_square, [3, 4])
    assert [value for _, value in after] == [9, 16]
    assert not _pids(before) & _pids(after)
