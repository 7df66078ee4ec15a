"""`scf compile`: compile contracts/ and refresh (or check) the shipped artifacts."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from chain_client.compiler import (
    ARTIFACTS_DIR,
    artifacts_differ,
    compile_contracts,
    find_solc,
    write_artifacts,
)
from chain_client.errors import CompilationError

from .common import console, output, state


def compile_command(
    ctx: typer.Context,
    contracts: Annotated[
        Path | None, typer.Option(help="Folder of Solidity sources (default: contracts/).")
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Only check that the shipped artifacts match the sources."),
    ] = False,
) -> None:
    """Compile the contracts with the pinned solc and write the artifacts shipped with scf."""
    binary, kind = find_solc()
    with console.status("compiling", spinner="dots") if not state(ctx).json else nullcontext():
        compiled = compile_contracts(contracts)
    if check:
        differ = artifacts_differ(compiled)
        if differ:
            raise CompilationError(
                f"shipped artifacts do not match the sources: {', '.join(differ)}",
                hint="run `scf compile`",
            )
        output(
            ctx,
            {"ok": True, "contracts": sorted(compiled)},
            f"artifacts match the sources ({len(compiled)} contracts)",
        )
        return
    written = write_artifacts(compiled)
    sizes = {name: len(a["deployedBytecode"]) // 2 - 1 for name, a in compiled.items()}
    lines = [f"compiled with {kind} solc ({binary})"]
    lines += [f"  {name}: {size:,} bytes of runtime code" for name, size in sorted(sizes.items())]
    lines.append(f"wrote {len(written)} artifacts to {ARTIFACTS_DIR}")
    output(
        ctx,
        {"ok": True, "compiler": kind, "sizes": sizes, "artifacts": [str(p) for p in written]},
        "\n".join(lines),
    )
