"""`scf scenario run|check|new`: script financing stories and replay them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from chain_client.config import Settings
from chain_client.errors import InputError
from chain_client.scenario import Runner, RunResult, load_scenario
from chain_client.scenario.model import Scenario
from chain_client.scenario.runner import ScenarioFailed, StepResult
from chain_client.scenario.starter import STARTER
from chain_client.session import open_session

from .common import console, output, printable, state

app = typer.Typer(help="Scenario files: scripted financing stories.", no_args_is_help=True)

RUNS_ROOT = Path("scf-runs")
File = Annotated[Path, typer.Argument(help="The scenario file (YAML).")]


def run_scenario(
    ctx: typer.Context,
    path: Path,
    *,
    keep: bool,
    verbose: bool,
    root: Path = RUNS_ROOT,
    start: int = 1,
) -> tuple[RunResult, Settings]:
    """Validate, then run on a fresh embedded chain (or the configured one with keep)."""
    scenario = load_scenario(path)
    settings = state(ctx).settings
    if start > 1 and settings.is_embedded and not keep:
        raise InputError(
            "--from resumes a run on the workspace's chain: give --keep (a run without it "
            "starts a fresh chain)"
        )
    try:
        return _run(
            ctx, path, scenario, settings, keep=keep, verbose=verbose, root=root, start=start
        )
    except ScenarioFailed as failed:
        if failed.resume_from is not None:
            again = f"scf scenario run {path}{' --keep' if keep else ''} --from"
            failed.hint = f"once the node is back, `{again} {failed.resume_from}`" + (
                f" if step {failed.resume_from} did not land, `{again} "
                f"{failed.resume_from + 1}` if it did"
                if failed.unsure
                else ": the steps that landed are not sent again"
            )
        raise


def _run(
    ctx: typer.Context,
    path: Path,
    scenario: Scenario,
    settings: Settings,
    *,
    keep: bool,
    verbose: bool,
    root: Path,
    start: int,
) -> tuple[RunResult, Settings]:
    if not keep and settings.is_embedded:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        settings = Settings(workspace=root / f"{path.stem}-{stamp}")
    quiet = state(ctx).json
    with open_session(settings, writable=True) as session:
        runner = Runner(session, scenario)
        if quiet:
            return runner.run(start=start), settings
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[step]}"),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(
                scenario.name, total=len(scenario.steps), completed=start - 1, step=""
            )

            def progress(result: StepResult) -> None:
                if verbose:
                    line = Text(
                        f"{result.number:>3} {result.action:<28} {printable(result.detail)}"
                    )
                    if result.transactions:
                        line.append(
                            f"  {len(result.transactions)} tx, gas {result.gas:,}", style="dim"
                        )
                    bar.console.print(line)
                bar.update(task, advance=1, step=result.action)

            return runner.run(progress, start=start), settings


def summary(result: RunResult, settings: Settings) -> str:
    return (
        f"{result.scenario}: {len(result.steps)} steps, {result.transactions} transactions, "
        f"{result.events} events, gas {result.gas:,}, {result.seconds:.1f} s "
        f"(chain {result.chain_id}, workspace {settings.workspace})"
    )


@app.command("run")
def run_command(
    ctx: typer.Context,
    path: File,
    keep: Annotated[
        bool, typer.Option("--keep", help="Run on the workspace's chain instead of a fresh one.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per step.")] = False,
    start: Annotated[
        int,
        typer.Option(
            "--from",
            help="Resume at this step, on the chain where the steps before it landed (a node, "
            "or --keep): they are not sent again, and the orders and proposals they named "
            "are found on chain.",
        ),
    ] = 1,
) -> None:
    """Run a scenario: by default on a fresh embedded chain in a new workspace under scf-runs/."""
    result, settings = run_scenario(ctx, path, keep=keep, verbose=verbose, start=start)
    output(
        ctx,
        {
            "workspace": str(settings.workspace),
            "chain": settings.chain,
            **result.model_dump(mode="json"),
        },
        summary(result, settings),
    )


@app.command("check")
def check_command(ctx: typer.Context, path: File) -> None:
    """Validate a scenario file without sending anything."""
    scenario = load_scenario(path)
    output(
        ctx,
        {"ok": True, "name": scenario.name, "steps": len(scenario.steps)},
        f"{path}: valid, {len(scenario.steps)} steps ({scenario.name})",
    )


@app.command("generate")
def generate_command(
    ctx: typer.Context,
    projects: Annotated[int, typer.Option(min=1, max=1000, help="Projects.")] = 3,
    suppliers: Annotated[int, typer.Option(min=3, max=1000, help="Suppliers.")] = 12,
    payments: Annotated[int, typer.Option(min=1, max=100_000, help="Payments.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="The same seed gives the same file.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the file here (default: print it)."),
    ] = None,
) -> None:
    """Write a scenario of a given size: payments, orders (one per ten payments) and supplier
    cut-offs (one per five suppliers with orders) in proportion, the same from one seed."""
    from chain_client.scenario.generate import Size, generate

    text = generate(Size(projects, suppliers, payments, seed))
    steps = sum(1 for line in text.splitlines() if line.startswith("  - "))
    if out is None:
        if state(ctx).json:
            output(ctx, {"steps": steps, "scenario": text}, "")
        else:
            typer.echo(text, nl=False)
        return
    _write_new(out, text)
    output(
        ctx,
        {"written": str(out), "steps": steps},
        f"wrote {out} ({steps} steps); run it with `scf scenario run {out}`",
    )


@app.command("new")
def new_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the starter file.")] = Path(
        "scenario.yaml"
    ),
) -> None:
    """Write a commented starter scenario."""
    _write_new(path, STARTER)
    output(ctx, {"written": str(path)}, f"wrote {path}; check it with `scf scenario check {path}`")


def _write_new(path: Path, text: str) -> None:
    """Write a new scenario file; never over an existing one."""
    if path.exists():
        raise InputError(f"{path} already exists; give another path")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
