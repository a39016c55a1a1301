"""One whole-stack snapshot per environment file of the project (environments/<env>.yaml ->
tests/snapshots/<env>.json), for change review. Snapshots are committed with the files they come from, so they
are checked against the project's environments/ also when ENVIRONMENTS_DIR names another folder.

A missing, stale or orphaned snapshot fails with the command that regenerates them all:
UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py (review the diff, then commit it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from main import ROOT

PROJECT_ENVIRONMENTS = ROOT / "environments"
SNAPSHOTS = Path(__file__).parent / "snapshots"
REGENERATE = "UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py"
UPDATING = os.environ.get("UPDATE_SNAPSHOTS") == "1"
# Read at collection so that each environment file is a test of its own; a file that does not parse fails the
# session's synth with its message.
ENVIRONMENT_FILES = sorted(path.stem for path in PROJECT_ENVIRONMENTS.glob("*.yaml"))


@pytest.fixture(scope="module")
def project_outdir(example_set, tmp_path_factory) -> Path:
    """The project's environments/ synthesized: the session's synth unless ENVIRONMENTS_DIR names another folder."""
    if example_set.environments_dir.resolve() == PROJECT_ENVIRONMENTS.resolve():
        return example_set.outdir
    from config import load_environments
    from main import synth

    outdir = tmp_path_factory.mktemp("project") / "cdktf.out"
    synth(load_environments(PROJECT_ENVIRONMENTS, root=ROOT), outdir)
    return outdir


def synthesized_stacks(outdir: Path, env: str) -> dict[str, dict]:
    stacks = json.loads((outdir / "manifest.json").read_text())["stacks"]
    return {
        name: json.loads((outdir / stack["synthesizedStackPath"]).read_text())
        for name, stack in sorted(stacks.items())
        if name.rsplit("-", 1)[1] == env
    }


def snapshot_problem(actual: dict, snapshot: Path, *, updating: bool = UPDATING) -> str | None:
    """Why ``snapshot`` does not hold ``actual`` (None when it does); with ``updating``, write it first."""
    if updating:
        snapshot.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
    shown = f"tests/snapshots/{snapshot.name}"
    if not snapshot.exists():
        return f"{shown} is missing: run {REGENERATE}"
    if json.loads(snapshot.read_text()) != actual:
        return f"{shown} is stale: review the change, then run {REGENERATE}"
    return None


def orphaned_snapshots(folder: Path, environments: list[str], *, updating: bool = UPDATING) -> list[str]:
    """Snapshots of environments that have no file any more; with ``updating``, delete them."""
    orphans = sorted(path for path in folder.glob("*.json") if path.stem not in environments)
    if updating:
        for path in orphans:
            path.unlink()
        return []
    return [path.name for path in orphans]


@pytest.mark.parametrize("env", ENVIRONMENT_FILES)
def test_environment_matches_its_snapshot(project_outdir, env):
    problem = snapshot_problem(synthesized_stacks(project_outdir, env), SNAPSHOTS / f"{env}.json")
    assert not problem, problem


def test_every_snapshot_belongs_to_an_environment_file():
    orphans = orphaned_snapshots(SNAPSHOTS, ENVIRONMENT_FILES)
    assert not orphans, f"snapshots of environments that no longer exist ({', '.join(orphans)}): run {REGENERATE}"


def test_missing_snapshot_names_the_command_that_regenerates_it(tmp_path):
    assert snapshot_problem({"azure-qa": {}}, tmp_path / "qa.json", updating=False) == (
        f"tests/snapshots/qa.json is missing: run {REGENERATE}"
    )


def test_stale_snapshot_names_the_command_that_regenerates_it(tmp_path):
    (tmp_path / "qa.json").write_text('{"azure-qa": {"old": true}}')
    assert snapshot_problem({"azure-qa": {}}, tmp_path / "qa.json", updating=False) == (
        f"tests/snapshots/qa.json is stale: review the change, then run {REGENERATE}"
    )


def test_regenerating_writes_the_snapshot_and_removes_orphans(tmp_path):
    (tmp_path / "renamed.json").write_text("{}")
    assert snapshot_problem({"azure-qa": {}}, tmp_path / "qa.json", updating=True) is None
    assert orphaned_snapshots(tmp_path, ["qa"], updating=True) == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["qa.json"]
