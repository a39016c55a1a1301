"""main.py: what `make synth` does, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from support import ROOT

SNAPSHOTS = Path(__file__).parent / "snapshots"


def files(outdir: Path) -> dict[str, bytes]:
    return {path.relative_to(outdir).as_posix(): path.read_bytes() for path in sorted(outdir.rglob("*")) if path.is_file()}


@pytest.fixture
def outdir(tmp_path, monkeypatch) -> Path:
    target = tmp_path / "cdktf.out"
    monkeypatch.setenv("CDKTF_OUTDIR", str(target))
    return target


def test_invalid_environment_exits_2_and_leaves_cdktf_out_untouched(tmp_path, outdir, monkeypatch, capsys):
    environments = tmp_path / "environments"
    environments.mkdir()
    dev = (ROOT / "environments" / "dev.yaml").read_text()
    (environments / "broken.yaml").write_text(dev.replace("name: mysecretskv", "name: my--kv"))
    monkeypatch.setattr(main, "ENVIRONMENTS_DIR", environments)
    outdir.mkdir()
    (outdir / "manifest.json").write_text("previous synth")

    assert main.main([]) == 2

    assert "key_vault.name 'my--kv': must not contain '--'" in capsys.readouterr().err
    assert files(outdir) == {"manifest.json": b"previous synth"}


def test_unknown_environment_is_named_with_the_known_ones(outdir, capsys):
    assert main.main(["--env", "staging"]) == 2
    assert "no environment 'staging' (known: dev, prod)" in capsys.readouterr().err
    assert not outdir.exists()


def test_one_environment_can_be_synthesized_alone(outdir):
    assert main.main(["--env", "dev"]) == 0
    stacks = json.loads((outdir / "manifest.json").read_text())["stacks"]
    assert stacks and all(name.endswith("-dev") for name in stacks)


def test_synth_replaces_a_previous_outdir_completely(outdir):
    outdir.mkdir()
    (outdir / "stale.txt").write_text("from an older synth")
    assert main.main(["--env", "dev"]) == 0
    assert not (outdir / "stale.txt").exists()
    assert not outdir.with_name("cdktf.out.staging").exists()


def test_every_environment_has_an_azure_stack(example_outdir):
    stacks = json.loads((example_outdir / "manifest.json").read_text())["stacks"]
    assert {"azure-dev", "azure-prod"} <= set(stacks)


def test_two_synths_are_byte_identical(example_outdir, tmp_path):
    from config import load_environments

    again = tmp_path / "again" / "cdktf.out"
    main.synth(load_environments(main.ENVIRONMENTS_DIR, root=ROOT), again)
    assert files(again) == files(example_outdir)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_example_environment_matches_its_snapshot(example_outdir, env):
    """Whole-stack snapshots for change review. After an intended change: UPDATE_SNAPSHOTS=1 make test."""
    stacks = json.loads((example_outdir / "manifest.json").read_text())["stacks"]
    actual = {
        name: json.loads((example_outdir / stack["synthesizedStackPath"]).read_text())
        for name, stack in sorted(stacks.items())
        if name.endswith(f"-{env}")
    }
    snapshot = SNAPSHOTS / f"{env}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not snapshot.exists():
        snapshot.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
    assert actual == json.loads(snapshot.read_text()), f"{snapshot} is stale: review the change, then UPDATE_SNAPSHOTS=1 make test"


def test_environments_dir_option_reads_environment_files_from_another_folder(tmp_path, outdir):
    environments = tmp_path / "generated"
    environments.mkdir()
    (environments / "other.yaml").write_text((ROOT / "environments" / "dev.yaml").read_text())

    assert main.main(["--environments-dir", str(environments)]) == 0

    stacks = json.loads((outdir / "manifest.json").read_text())["stacks"]
    assert stacks and all(name.endswith("-other") for name in stacks)


def test_environments_dir_variable_replaces_the_default_folder(tmp_path):
    env = {**os.environ, "ENVIRONMENTS_DIR": str(tmp_path)}
    command = [sys.executable, "-c", "import main; print(main.ENVIRONMENTS_DIR)"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == str(tmp_path)
