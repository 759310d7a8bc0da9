"""One Dask LocalCluster for every compute test module that needs one (it starts in 2-4 s)."""

import pytest

from ecocity.compute import local_cluster


@pytest.fixture(scope="session")
def cluster_address():
    with local_cluster(2) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(autouse=True)
def _no_dask_from_environment(monkeypatch):
    monkeypatch.delenv("ECOCITY_DASK", raising=False)
