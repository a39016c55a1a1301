"""Session fixtures of the quality gates: each expensive step (a synth in a subprocess, a checkov run) runs once.

Every gate runs over each set of environments of ``synth_set`` (tests/conftest.py): the examples and a generated
set outside the checkout. The expensive steps run for both sets at once: the two subprocess synths side by side,
checkov in one process over both outdirs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from quality.policy_scan import StackScan, parse_report, run_checkov, write_scan_copy
from quality.sensitive_inputs import SENSITIVE_INPUTS, sensitive_variables
from quality.synth_outputs import Synth, base_environment, copy_project, synthesize
from support import ROOT

SETS = ("examples", "generated")


def canary_values(outdir: Path, tag: str) -> dict[str, str]:
    """A unique value for every sensitive input: the listed ones and TF_VAR_<name> of each sensitive variable."""
    names = [entry.variable for entry in SENSITIVE_INPUTS]
    names += [f"TF_VAR_{name}" for name in sensitive_variables(outdir)]
    return {name: f"canary{tag}{index:02d}x{secrets.token_hex(12)}" for index, name in enumerate(names)}


@pytest.fixture(scope="session")
def relocated_synths(tmp_path_factory, example_set, generated_set) -> dict[str, Synth]:
    """``python main.py`` in a copy of the project elsewhere, per set, with its own HOME, user name and TMPDIR, and
    a canary value in every sensitive input. The generated set is read through ENVIRONMENTS_DIR from its folder
    outside the copy, as a team running the project against its own environment files does.

    Compared with the session's in-process synth of the same set (inside the repository, with this machine's HOME
    and user), it gives two synths whose outputs are byte-identical only if they depend on none of these.
    """
    copies = []
    for tag, synth_set in zip("ab", (example_set, generated_set)):
        base = tmp_path_factory.mktemp(f"relocated-{synth_set.name}")
        environment = base_environment(home=base / "home", user="canaryuser", tmpdir=base / "tmp")
        environment.update(canary_values(synth_set.outdir, tag))
        if synth_set.environments_dir.resolve() != (ROOT / "environments").resolve():
            environment["ENVIRONMENTS_DIR"] = str(synth_set.environments_dir)
        copies.append((copy_project(ROOT, base / "project"), environment))
    return dict(zip(SETS, synthesize(copies)))


@pytest.fixture(scope="session")
def relocated_synth(synth_set, relocated_synths) -> Synth:
    """The subprocess synth of the set under test (see relocated_synths)."""
    return relocated_synths[synth_set.name]


@dataclass(frozen=True)
class CheckovScan:
    directory: Path  # what checkov scanned for this set: <directory>/<stack>/cdk.tf.json
    originals: dict[str, dict]  # each stack's synthesized JSON
    stacks: dict[str, StackScan]


@pytest.fixture(scope="session")
def checkov_scans(tmp_path_factory, example_set, generated_set) -> dict[str, CheckovScan]:
    """checkov run once, in one process, over a checkov-readable copy of every stack of both sets."""
    directory = tmp_path_factory.mktemp("checkov")
    originals = {}
    for synth_set in (example_set, generated_set):
        (directory / synth_set.name).mkdir()
        for stack, synthesized in write_scan_copy(synth_set.outdir, directory / synth_set.name).items():
            originals[f"{synth_set.name}/{stack}"] = synthesized
    scans = parse_report(run_checkov(directory), directory, originals)
    per_set = {}
    for name in SETS:
        prefix = f"{name}/"
        stacks = {
            key.removeprefix(prefix): StackScan(
                key.removeprefix(prefix),
                [replace(result, stack=key.removeprefix(prefix)) for result in scan.results],
                scan.parsing_errors,
            )
            for key, scan in scans.items()
            if key.startswith(prefix)
        }
        own = {key.removeprefix(prefix): value for key, value in originals.items() if key.startswith(prefix)}
        per_set[name] = CheckovScan(directory / name, own, stacks)
    return per_set


@pytest.fixture(scope="session")
def checkov_scan(synth_set, checkov_scans) -> CheckovScan:
    """The checkov results of the set under test."""
    return checkov_scans[synth_set.name]
