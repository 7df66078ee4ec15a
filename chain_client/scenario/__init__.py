"""Scenario files: script financing stories and replay them on any test chain."""

from .model import Scenario, load_scenario, parse_scenario
from .runner import Runner, RunResult, ScenarioFailed

__all__ = ["RunResult", "Runner", "Scenario", "ScenarioFailed", "load_scenario", "parse_scenario"]
