"""Terraform as a prerequisite: scripts/terraform.py (what make runs first) and main.py's check.

No test here reaches the network: downloads come from file:// folders the tests write.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import main
from support import ROOT, make_env

spec = importlib.util.spec_from_file_location("terraform_script", ROOT / "scripts" / "terraform.py")
terraform_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(terraform_script)

VERSION, MINIMUM, BUILD = "1.11.4", "1.11", "linux_amd64"
ARCHIVE = f"terraform_{VERSION}_{BUILD}.zip"
HINT = "install Terraform 1.11 or newer (https://developer.hashicorp.com/terraform/install) and put it on PATH"


def fake_terraform(version: str) -> str:
    """A stand-in for the terraform binary that answers `terraform version -json`."""
    return f"#!/bin/sh\necho '{{\"terraform_version\": \"{version}\"}}'\n"


def write_executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def empty_path(tmp_path, monkeypatch) -> Path:
    """PATH with no terraform on it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.delenv("TERRAFORM_BINARY_NAME", raising=False)
    return folder


@pytest.fixture
def release(tmp_path) -> tuple[str, str]:
    """A release folder in HashiCorp's layout (<version>/<archive>) holding a stand-in Terraform; its URL and the
    archive's SHA-256."""
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("terraform", fake_terraform(VERSION))
        archive.writestr("LICENSE.txt", "stand-in")
    (tmp_path / "releases" / VERSION).mkdir(parents=True)
    (tmp_path / "releases" / VERSION / ARCHIVE).write_bytes(bundle.getvalue())
    return (tmp_path / "releases").as_uri(), hashlib.sha256(bundle.getvalue()).hexdigest()


def ensure(directory: Path, base_url: str) -> str | None:
    return terraform_script.ensure(directory, VERSION, MINIMUM, base_url=base_url, build=BUILD)


def test_a_suitable_terraform_on_path_is_used_and_nothing_is_downloaded(empty_path, tmp_path):
    write_executable(empty_path / "terraform", fake_terraform("1.12.1"))
    assert ensure(tmp_path / "tools", "file:///nowhere") is None
    assert not (tmp_path / "tools").exists()


def test_a_terraform_downloaded_before_is_used(empty_path, tmp_path):
    write_executable(tmp_path / "tools" / "terraform", fake_terraform(VERSION))
    assert ensure(tmp_path / "tools", "file:///nowhere") is None


def test_without_terraform_and_without_a_download_the_problem_is_one_line(empty_path, tmp_path):
    url = (tmp_path / "missing").as_uri()
    problem = ensure(tmp_path / "tools", url)
    assert problem == (
        f"Terraform 1.11 or newer is needed (there is none on PATH), and could not download {url}/{VERSION}/{ARCHIVE} "
        f"([Errno 2] No such file or directory: '{tmp_path / 'missing' / VERSION / ARCHIVE}'): {HINT}"
    )


def test_a_terraform_older_than_the_minimum_is_named_in_the_problem(empty_path, tmp_path):
    old = write_executable(empty_path / "terraform", fake_terraform("1.9.8"))
    problem = ensure(tmp_path / "tools", (tmp_path / "missing").as_uri())
    assert problem.startswith(f"Terraform 1.11 or newer is needed ({old} is 1.9.8), and could not download ")


def test_a_download_whose_checksum_differs_from_the_pinned_one_is_refused(empty_path, tmp_path, release):
    url, digest = release
    pinned = terraform_script.pinned_sums(VERSION)[ARCHIVE]
    problem = ensure(tmp_path / "tools", url)
    assert problem == (
        f"Terraform 1.11 or newer is needed (there is none on PATH), and {url}/{VERSION}/{ARCHIVE} has SHA-256 "
        f"{digest}, not the pinned {pinned}: refused: {HINT}"
    )
    assert not (tmp_path / "tools" / "terraform").exists()


def test_a_download_with_the_pinned_checksum_is_unpacked_and_runs(empty_path, tmp_path, release, monkeypatch):
    url, digest = release
    monkeypatch.setattr(terraform_script, "pinned_sums", lambda version: {ARCHIVE: digest})
    assert ensure(tmp_path / "tools", url) is None
    assert terraform_script.version_of(str(tmp_path / "tools" / "terraform")) == VERSION
    assert sorted(path.name for path in (tmp_path / "tools").iterdir()) == ["terraform"]


def test_a_platform_without_a_pinned_checksum_is_refused(empty_path, tmp_path):
    problem = terraform_script.ensure(
        tmp_path / "tools", VERSION, MINIMUM, base_url="file:///nowhere", build="plan9_mips"
    )
    assert problem == (
        f"Terraform 1.11 or newer is needed (there is none on PATH), and HashiCorp publishes no checksum-pinned "
        f"Terraform {VERSION} for plan9_mips: {HINT}"
    )


def test_the_pinned_checksums_cover_the_usual_platforms():
    sums = terraform_script.pinned_sums(VERSION)
    for build in ("linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"):
        assert len(sums[f"terraform_{VERSION}_{build}.zip"]) == 64


def test_the_makefile_pins_the_version_whose_checksums_are_committed():
    makefile = (ROOT / "Makefile").read_text()
    assert f"TERRAFORM_VERSION := {VERSION}\n" in makefile and f"TERRAFORM_MINIMUM := {MINIMUM}\n" in makefile


def make_without_terraform(target: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`make <target>` with a PATH that has make and nothing else, and a download source that does not exist."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / "make").symlink_to(shutil.which("make"))
    environment = {
        key: value for key, value in os.environ.items() if key not in ("TERRAFORM_BINARY_NAME", "MAKEFLAGS", "MFLAGS")
    }
    environment.update(
        PATH=str(folder),
        CDKTF_OUTDIR=str(tmp_path / "cdktf.out"),
        # Should the check not stop make, pytest would only collect, and the exit code would say so.
        PYTEST_ADDOPTS="--collect-only -q",
    )
    command = [
        # -o: never rebuild .venv here (this test runs on the venv that runs it).
        "make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/.installed-from-lock", target,
        f"TOOLS={tmp_path / 'tools'}", f"TERRAFORM_DOWNLOAD_URL={(tmp_path / 'missing').as_uri()}",
        f"PY={sys.executable}",
    ]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("target", ["synth", "test"])
def test_make_stops_with_one_line_when_no_terraform_can_be_had(target, tmp_path):
    result = make_without_terraform(target, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "*** Terraform 1.11 or newer is needed (there is none on PATH), and could not download " in lines[0]
    assert lines[0].endswith(f"{HINT}.  Stop.")
    assert not (tmp_path / "cdktf.out").exists()


def test_a_cloud_backend_without_terraform_stops_the_synth_with_one_line(empty_path, tmp_path, monkeypatch, capsys):
    env = make_env({"backend": {"type": "cloud", "organization": "acme"}}, name="qa7")
    monkeypatch.setattr(main, "load_environments", lambda *args, **kwargs: [env])
    monkeypatch.setenv("CDKTF_OUTDIR", str(tmp_path / "cdktf.out"))

    assert main.main([]) == 2

    assert capsys.readouterr().err == (
        "error: environments/qa7.yaml: backend.type 'cloud': cdktf runs `terraform version` to synthesize it, and "
        "there is no `terraform` on PATH: install Terraform 1.11 or newer "
        "(https://developer.hashicorp.com/terraform/install), or run `make synth`, which provides it\n"
    )
    assert not (tmp_path / "cdktf.out").exists()


def test_a_local_backend_synthesizes_without_terraform(empty_path, tmp_path):
    """Only what cdktf really runs Terraform for needs it: a generated environment with local state does not."""
    outdir = tmp_path / "cdktf.out"
    env = make_env(name="qa7")
    assert main.terraform_problem([env]) is None
    main.synth([env], outdir)
    assert (outdir / "stacks" / "azure-qa7" / "cdk.tf.json").is_file()
