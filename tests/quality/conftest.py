"""Session fixtures of the quality gates: each expensive step (a synth in a subprocess, a checkov run) runs once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest

from quality.policy_scan import StackScan, parse_report, run_checkov, write_scan_copy
from quality.sensitive_inputs import SENSITIVE_INPUTS, sensitive_variables
from quality.synth_outputs import Synth, base_environment, copy_project, synthesize
from support import ROOT


def canary_values(outdir: Path, tag: str) -> dict[str, str]:
    """A unique value for every sensitive input: the listed ones and TF_VAR_<name> of each sensitive variable."""
    names = [entry.variable for entry in SENSITIVE_INPUTS]
    names += [f"TF_VAR_{name}" for name in sensitive_variables(outdir)]
    return {name: f"canary{tag}{index:02d}x{secrets.token_hex(12)}" for index, name in enumerate(names)}


@pytest.fixture(scope="session")
def relocated_synths(tmp_path_factory, example_outdir) -> tuple[Synth, Synth]:
    """Two synths of copies of the project at two different paths, run at the same time.

    Each runs with its own HOME, user name, TMPDIR and its own canary value in every sensitive input, so the
    outputs are byte-identical only if they depend on none of these.
    """
    copies = []
    for tag in ("a", "b"):
        base = tmp_path_factory.mktemp(f"synth-{tag}")
        environment = base_environment(home=base / f"home-{tag}", user=f"canaryuser{tag}", tmpdir=base / "tmp")
        environment.update(canary_values(example_outdir, tag))
        copies.append((copy_project(ROOT, base / f"project-{tag}"), environment))
    first, second = synthesize(copies)
    return first, second


@dataclass(frozen=True)
class CheckovScan:
    directory: Path  # what checkov scanned: <directory>/<stack>/cdk.tf.json
    originals: dict[str, dict]  # each stack's synthesized JSON
    stacks: dict[str, StackScan]


@pytest.fixture(scope="session")
def checkov_scan(tmp_path_factory, example_outdir) -> CheckovScan:
    """checkov run once, in one process, over a checkov-readable copy of every stack of the example outdir."""
    directory = tmp_path_factory.mktemp("checkov")
    originals = write_scan_copy(example_outdir, directory)
    return CheckovScan(directory, originals, parse_report(run_checkov(directory), directory, originals))
