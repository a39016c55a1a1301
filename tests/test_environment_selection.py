"""Which environments a synth builds: `make synth ENV=...`, `main.py --env ...`, ENVIRONMENTS=..."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import main
from support import ROOT


@pytest.fixture
def outdir(tmp_path, monkeypatch) -> Path:
    target = tmp_path / "cdktf.out"
    monkeypatch.setenv("CDKTF_OUTDIR", str(target))
    return target


@pytest.fixture
def environments(tmp_path, monkeypatch) -> Path:
    """Three generated environments (copies of dev under other names, each with a vault of its own), so that a
    selection is visible."""
    folder = tmp_path / "environments"
    folder.mkdir()
    dev = (ROOT / "environments" / "dev.yaml").read_text()
    assert "name: mysecretskv" in dev
    for name in ("alpha", "beta1", "gamma"):
        (folder / f"{name}.yaml").write_text(dev.replace("name: mysecretskv", f"name: kv-{name}"))
    monkeypatch.setattr(main, "ENVIRONMENTS_DIR", folder)
    return folder


def synthesized_environments(outdir: Path) -> set[str]:
    stacks = json.loads((outdir / "manifest.json").read_text())["stacks"]
    return {name.removeprefix("azure-") for name in stacks if name.startswith("azure-")}


@pytest.mark.parametrize(
    ("values", "names"),
    [
        (["dev"], ["dev"]),
        (["dev,prod"], ["dev", "prod"]),
        (["dev, prod"], ["dev", "prod"]),
        (["dev prod"], ["dev", "prod"]),
        (["dev", "prod,qa"], ["dev", "prod", "qa"]),
        (["dev,dev"], ["dev"]),
        ([","], []),
        ([""], []),
    ],
)
def test_environment_names_are_split_at_commas_and_spaces(values, names):
    assert main.environment_names(values) == names


def test_a_comma_separated_env_synthesizes_each_listed_environment(environments, outdir, monkeypatch):
    monkeypatch.setattr(main, "write_manifests", lambda environments, root: [])
    assert main.main(["--env", "alpha,gamma"]) == 0
    assert synthesized_environments(outdir) == {"alpha", "gamma"}


def test_the_environments_variable_takes_the_same_list(environments, outdir, monkeypatch):
    monkeypatch.setattr(main, "write_manifests", lambda environments, root: [])
    monkeypatch.setenv("ENVIRONMENTS", "beta1,gamma")
    assert main.main([]) == 0
    assert synthesized_environments(outdir) == {"beta1", "gamma"}


def test_an_unknown_name_in_a_list_is_named_with_the_known_ones(environments, outdir, capsys):
    assert main.main(["--env", "alpha,staging"]) == 2
    assert capsys.readouterr().err == (
        f"error: {environments.as_posix()}: no environment 'staging' (known: alpha, beta1, gamma)\n"
    )
    assert not outdir.exists()


@pytest.mark.parametrize("value", ["dev,prod", "dev prod"])
def test_make_synth_hands_the_whole_env_list_to_main(value):
    """`make synth ENV=dev,prod` (or "dev prod") reaches main.py as one --env value, which it splits."""
    never_remade = ["-o", ".venv/.installed-from-lock", "-o", "terraform"]
    command = ["make", "-n", "--no-print-directory", *never_remade, "synth", f"ENV={value}"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert f"main.py --env '{value}'" in result.stdout
