"""Shared arguments (``shared=``): put before each task's own, sent once per worker."""

import os
import threading

import pytest
from compute_probes import divide, sum_with_shared

import ecocity.compute.cluster as cluster_module
from ecocity.compute import Task, open_runner, run_tasks

VALUES = [0.5 * k for k in range(10_000)]  # sum 24 997 500
OFFSET = 2.0


def _values(results):
    return [value for _, _, value in results]


def _expected(xs, values=VALUES):
    return [sum(values) + OFFSET * x for x in xs]


@pytest.mark.parametrize("workers", [1, 2], ids=["in_process", "pool"])
def test_shared_arguments_give_the_results_of_arguments_in_every_task(workers):
    xs = list(range(8))
    with open_runner(workers=workers) as runner:
        in_tasks = runner.run(sum_with_shared, [Task(args=(VALUES, OFFSET, x)) for x in xs])
        shared = runner.run(sum_with_shared, xs, shared=(VALUES, OFFSET))
    assert _values(shared) == _values(in_tasks) == _expected(xs)


def test_a_pool_worker_unpickles_shared_arguments_once_and_keeps_them_for_the_next_batch():
    with open_runner(workers=2) as runner:
        first = runner.run(sum_with_shared, list(range(8)), shared=(VALUES, OFFSET))
        again = runner.run(sum_with_shared, list(range(8, 16)), shared=(list(VALUES), OFFSET))
        other = [0.0, 1.0]
        changed = runner.run(sum_with_shared, [0, 1, 2], shared=(other, OFFSET))
    objects = {}
    for pid, identity, _ in first + again:
        objects.setdefault(pid, set()).add(identity)
    assert os.getpid() not in objects
    assert all(len(identities) == 1 for identities in objects.values())  # one object per worker
    assert _values(again) == _expected(range(8, 16))
    assert _values(changed) == _expected(range(3), other)  # new content is read, not the old


def test_task_keyword_arguments_follow_the_shared_ones():
    tasks = [Task(kwargs={"by": 2.0}), Task(kwargs={"by": 4.0})]
    assert run_tasks(divide, tasks, workers=2, shared=(3.0,)) == [1.5, 0.75]


def test_shared_arguments_that_cannot_be_pickled_are_refused_before_starting():
    with pytest.raises(TypeError, match="shared arguments"):
        run_tasks(divide, [Task(kwargs={"by": 1.0})] * 2, workers=2, shared=(threading.Lock(),))


def test_a_dask_runner_scatters_shared_arguments_once_for_its_batches(cluster_address, monkeypatch):
    scattered = []

    def counting_scatter(client, shared):
        scattered.append(shared)
        return scatter(client, shared)

    scatter = cluster_module.scatter_shared
    monkeypatch.setattr(cluster_module, "scatter_shared", counting_scatter)
    with open_runner(dask_address=cluster_address) as runner:
        first = runner.run(sum_with_shared, list(range(6)), shared=(VALUES, OFFSET))
        again = runner.run(sum_with_shared, list(range(6, 9)), shared=(VALUES, OFFSET))
    assert _values(first + again) == _expected(range(9))
    assert len(scattered) == 1
    assert os.getpid() not in {pid for pid, _, _ in first}
