"""Run every benchmark (``benchmarks/bench_*.py``) and print a table of results.

Each benchmark module defines ``run() -> dict`` with keys: ``name``, ``ours_s`` (seconds),
``peer`` (name of the peer or baseline), ``peer_s`` (seconds or None), ``ratio`` (a figure of
merit, explained in ``metric``), ``target`` (text), ``met`` (bool) and ``notes``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    only = set(argv)
    results = []
    for path in sorted(HERE.glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        assert spec.loader is not None
        spec.loader.exec_module(module)
        print(f"running {path.stem} ...", flush=True)
        result = module.run()
        results.append(result)
        print(json.dumps(result, indent=2), flush=True)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"\n{'benchmark':40s} {'ours s':>9s} {'peer s':>9s} {'ratio':>8s}  target / met")
    for r in results:
        peer = "-" if r.get("peer_s") is None else f"{r['peer_s']:.3f}"
        ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.3f}"
        print(f"{r['name']:40s} {r['ours_s']:9.3f} {peer:>9s} {ratio:>8s}  {r['target']} / {r['met']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
