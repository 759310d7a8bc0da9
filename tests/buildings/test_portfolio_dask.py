"""A portfolio on a real dask.distributed cluster (LocalCluster over TCP) equals the process pool's.

Reference: the process-pool result of the same folder (``run_tasks`` gives results in task
order whatever runs them, so the report sections must be equal, not just close).
"""

import json
from pathlib import Path

import pytest

from buildings.example_portfolio import small_portfolio
from ecocity.buildings import portfolio_run

#: A retrofit, a fault, a school, a hospital and two Copenhagen buildings (electricity + district heat).
SIX = ("TZ-OFF-03", "TZ-OFF-07", "TZ-SCH-05", "TZ-HOS-02", "CPH-OFF-02", "CPH-DAY-01")


def six_buildings(folder: Path) -> Path:
    return small_portfolio(folder, SIX, readme=True)


@pytest.mark.slow
def test_dask_cluster_over_tcp_equals_the_process_pool_and_the_cli_takes_dask(tmp_path):
    from typer.testing import CliRunner

    from ecocity.cli import _register, app
    from ecocity.compute.cluster import local_cluster

    folder = six_buildings(tmp_path / "six")
    pool = portfolio_run.portfolio_section(portfolio_run.assess_portfolio(folder, workers=2))
    with local_cluster(2) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        on_dask = portfolio_run.portfolio_section(portfolio_run.assess_portfolio(folder, dask=address))
        if not any(group.name == "buildings" for group in app.registered_groups):
            _register()
        done = CliRunner().invoke(app, ["buildings", "portfolio", str(folder), "--dask", address, "--no-cache",
                                        "--json"])
    assert on_dask == pool
    assert pool["n_buildings"] == 6 and pool["synthetic"]
    assert done.exit_code == 0, done.output
    from_cli = json.loads(done.stdout)
    assert not from_cli.pop("cached") and from_cli.pop("run_id")
    assert from_cli == json.loads(json.dumps(pool))
