"""main.py: what `make synth` does, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from support import write_environment


def files(outdir: Path) -> dict[str, bytes]:
    return {path.relative_to(outdir).as_posix(): path.read_bytes() for path in sorted(outdir.rglob("*")) if path.is_file()}


@pytest.fixture
def outdir(tmp_path, monkeypatch) -> Path:
    """cdktf.out in a temporary folder, and a temporary project root for the GitOps files main.py writes."""
    target = tmp_path / "cdktf.out"
    monkeypatch.setenv("CDKTF_OUTDIR", str(target))
    monkeypatch.setattr(main, "ROOT", tmp_path / "project")
    return target


@pytest.fixture
def two_environments(tmp_path) -> Path:
    folder = tmp_path / "environments"
    write_environment(folder, "alpha")
    write_environment(folder, "beta")
    return folder


def test_invalid_environment_exits_2_and_leaves_cdktf_out_untouched(tmp_path, outdir, monkeypatch, capsys):
    environments = tmp_path / "environments"
    write_environment(environments, "broken", {"key_vault.name": "my--kv"})
    monkeypatch.setattr(main, "ENVIRONMENTS_DIR", environments)
    outdir.mkdir()
    (outdir / "manifest.json").write_text("previous synth")

    assert main.main([]) == 2

    assert "key_vault.name 'my--kv': must not contain '--'" in capsys.readouterr().err
    assert files(outdir) == {"manifest.json": b"previous synth"}


def test_unknown_environment_is_named_with_the_known_ones(outdir, two_environments, capsys):
    assert main.main(["--environments-dir", str(two_environments), "--env", "gamma"]) == 2
    assert "no environment 'gamma' (known: alpha, beta)" in capsys.readouterr().err
    assert not outdir.exists()


def test_one_environment_can_be_synthesized_alone(outdir, two_environments):
    assert main.main(["--environments-dir", str(two_environments), "--env", "beta"]) == 0
    stacks = json.loads((outdir / "manifest.json").read_text())["stacks"]
    assert stacks and all(name.endswith("-beta") for name in stacks)


def test_synth_replaces_a_previous_outdir_completely(outdir, two_environments):
    outdir.mkdir()
    (outdir / "stale.txt").write_text("from an older synth")
    assert main.main(["--environments-dir", str(two_environments), "--env", "alpha"]) == 0
    assert not (outdir / "stale.txt").exists()
    assert not outdir.with_name("cdktf.out.staging").exists()


def test_every_environment_has_an_azure_stack(synth_set):
    stacks = json.loads((synth_set.outdir / "manifest.json").read_text())["stacks"]
    assert {f"azure-{env.name}" for env in synth_set.environments} <= set(stacks)


def test_two_synths_are_byte_identical(example_set, tmp_path):
    again = tmp_path / "again" / "cdktf.out"
    main.synth(list(example_set.environments), again)
    assert files(again) == files(example_set.outdir)


def test_environments_dir_option_reads_environment_files_from_another_folder(tmp_path, outdir):
    environments = tmp_path / "generated"
    write_environment(environments, "other")

    assert main.main(["--environments-dir", str(environments)]) == 0

    stacks = json.loads((outdir / "manifest.json").read_text())["stacks"]
    assert stacks and all(name.endswith("-other") for name in stacks)


def test_environments_dir_variable_replaces_the_default_folder(tmp_path):
    env = {**os.environ, "ENVIRONMENTS_DIR": str(tmp_path)}
    command = [sys.executable, "-c", "import main; print(main.ENVIRONMENTS_DIR)"]
    result = subprocess.run(command, cwd=Path(main.__file__).parent, env=env, capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == str(tmp_path)
