"""The optional drainage network (``network.inp``) and the subcatchments' outlets.

Only the node ids of an existing SWMM 5 input file are read, to check that every subcatchment
drains somewhere that exists. Building and running the network is the stormwater engine's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ecocity.errors import InputError

NODE_SECTIONS = ("JUNCTIONS", "OUTFALLS", "STORAGE", "DIVIDERS")


def node_ids_from_inp_text(text: str) -> frozenset[str]:
    """Ids of the nodes in a SWMM 5 input file's [JUNCTIONS], [OUTFALLS], [STORAGE], [DIVIDERS].

    The id is the first token of each data line; ``;`` starts a comment (SWMM 5 User's Manual,
    appendix D, input file format). Section names are matched without regard to case.
    """
    nodes: set[str] = set()
    section = ""
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section = line.strip("[]").strip().upper()
            continue
        if section in NODE_SECTIONS:
            nodes.add(line.split()[0])
    return frozenset(nodes)


def read_network_nodes(path: Path) -> frozenset[str]:
    """Node ids of the network file at ``path``; InputError if it cannot be read or has none."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise InputError(f"cannot read the file ({err})", file=path) from err
    nodes = node_ids_from_inp_text(text)
    if not nodes:
        raise InputError(
            f"no nodes found: expected node lines under {', '.join(f'[{s}]' for s in NODE_SECTIONS)}",
            file=path,
        )
    return nodes


def check_outlets(
    outlets: Mapping[str, str], network_nodes: frozenset[str] | None, *, file: Path, network_file: Path | None
) -> None:
    """Check each subcatchment's outlet (``outlets``: subcatchment id → outlet).

    An outlet is another subcatchment's id, or a node of the network when there is one. Without
    a network any name is accepted: the engine creates it as an outfall. Routing from
    subcatchment to subcatchment must not loop.

    Raises
    ------
    InputError
        Naming ``file``, the subcatchment and ``outlet``: an unknown outlet, or a loop.
    """
    if network_nodes is not None:
        for sub_id, outlet in outlets.items():
            if outlet not in outlets and outlet not in network_nodes:
                raise InputError(
                    f"outlet {outlet!r} is neither a subcatchment nor a node of {network_file}",
                    file=file,
                    record=sub_id,
                    field="outlet",
                )
    cycle = find_routing_cycle(outlets)
    if cycle:
        raise InputError(
            f"subcatchments route onto each other in a loop: {' -> '.join(cycle)}",
            file=file,
            record=cycle[0],
            field="outlet",
        )


def find_routing_cycle(outlets: Mapping[str, str]) -> list[str]:
    """The first loop in subcatchment-to-subcatchment routing, as ids ending where it starts.

    Empty if there is none. Each subcatchment has one outlet, so following outlets from every
    start either leaves the subcatchments or comes back onto the current path.
    """
    done: set[str] = set()
    for start in sorted(outlets):
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while node in outlets and node not in done:
            if node in on_path:
                return [*path[path.index(node):], node]
            path.append(node)
            on_path.add(node)
            node = outlets[node]
        done.update(path)
    return []
