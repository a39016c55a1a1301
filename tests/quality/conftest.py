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
def relocated_synth(tmp_path_factory, example_outdir) -> Synth:
    """``python main.py`` in a copy of the project elsewhere, with its own HOME, user name and TMPDIR, and a
    canary value in every sensitive input.

    Compared with the session's in-process synth (inside the repository, with this machine's HOME and user), it
    gives two synths whose outputs are byte-identical only if they depend on none of these.
    """
    base = tmp_path_factory.mktemp("relocated")
    environment = base_environment(home=base / "home", user="canaryuser", tmpdir=base / "tmp")
    environment.update(canary_values(example_outdir, "a"))
    (synth,) = synthesize([(copy_project(ROOT, base / "project"), environment)])
    return synth


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
