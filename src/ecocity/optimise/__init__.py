"""Sponge-city design optimisation: NSGA-II over SWMM evaluations (issue 7).

Above the areas: it uses ``stormwater`` (design space, evaluation), ``compute`` (parallel runs)
and ``store`` (every evaluation saved as it finishes, so a restarted search redoes nothing).
Entry points: :func:`ecocity.optimise.search.optimise` and
:func:`ecocity.optimise.output.write_outputs`; the CLI is ``ecocity sponge optimise``. See
``docs/methods/optimisation.md``.
"""
