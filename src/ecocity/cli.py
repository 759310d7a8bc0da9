"""The ``ecocity`` command: one sub-command group per area, plus ``assess``.

Input problems (:class:`ecocity.InputError`) are printed as one line naming the file, record
and field, with exit status 2 and no traceback.
"""

from __future__ import annotations

import sys

import typer

from ecocity import __version__
from ecocity.commands.output import err_console
from ecocity.errors import EcocityError, InputError

app = typer.Typer(
    name="ecocity",
    help="Decision support for sustainable city development (sponge city, wastewater, buildings).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """ecocity: assess a district's plans against their targets."""


@app.command()
def version() -> None:
    """Print the ecocity version."""
    print(__version__)


def _register() -> None:
    from ecocity.commands import registry

    registry.register(app)


def main() -> None:
    """Entry point: run the CLI, turning ecocity errors into one clear line."""
    _register()
    try:
        app()
    except InputError as err:
        err_console.print(f"[bold red]input error:[/] {err}", highlight=False)
        sys.exit(2)
    except EcocityError as err:
        err_console.print(f"[bold red]error ({type(err).__name__}):[/] {err}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
