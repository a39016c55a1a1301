"""main.synth: what a synth keeps, replaces and leaves behind in cdktf.out/ (and its staging folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

import main
from support import make_env

LOCK = ".terraform.lock.hcl"


@pytest.fixture(scope="module")
def environment():
    """A generated environment (not an example), with a name of its own."""
    return make_env(name="qa2west")


@pytest.fixture
def outdir(tmp_path) -> Path:
    return tmp_path / "cdktf.out"


def initialize(outdir: Path, stack: str) -> Path:
    """What `terraform init` leaves beside a stack's JSON: its .terraform/ folder and a lock file."""
    working = outdir / "stacks" / stack
    (working / ".terraform" / "providers").mkdir(parents=True)
    (working / ".terraform" / "terraform.tfstate").write_text('{"backend": "initialized"}')
    (working / LOCK).write_text("# written by terraform init\n")
    return working


def test_a_failed_synth_removes_its_staging_folder(outdir, environment, monkeypatch):
    class FailingApp:
        def __init__(self, staging: Path):
            self.staging = staging

        def synth(self):
            (self.staging / "stacks" / "half-written").mkdir(parents=True)
            raise RuntimeError("synth failed")

    monkeypatch.setattr(main, "build_app", lambda environments, staging: FailingApp(staging))
    with pytest.raises(RuntimeError, match="synth failed"):
        main.synth([environment], outdir)
    assert not outdir.with_name("cdktf.out.staging").exists()


def test_a_failed_synth_leaves_the_previous_outdir_with_its_terraform_folders(outdir, environment, monkeypatch):
    main.synth([environment], outdir)
    working = initialize(outdir, "azure-qa2west")

    def failing_app(environments, staging):
        raise RuntimeError("synth failed")

    monkeypatch.setattr(main, "build_app", failing_app)
    with pytest.raises(RuntimeError):
        main.synth([environment], outdir)
    assert (working / "cdk.tf.json").is_file()
    assert (working / ".terraform" / "terraform.tfstate").read_text() == '{"backend": "initialized"}'


def test_a_synth_keeps_each_stacks_terraform_folder(outdir, environment):
    main.synth([environment], outdir)
    initialize(outdir, "azure-qa2west")

    main.synth([environment], outdir)

    assert (outdir / "stacks" / "azure-qa2west" / ".terraform" / "terraform.tfstate").is_file()
    assert (outdir / "stacks" / "azure-qa2west" / ".terraform" / "providers").is_dir()


def test_a_synth_keeps_the_lock_file_terraform_init_wrote(outdir, environment):
    main.synth([environment], outdir)
    initialize(outdir, "azure-qa2west")

    main.synth([environment], outdir)

    assert (outdir / "stacks" / "azure-qa2west" / LOCK).read_text() == "# written by terraform init\n"


def test_a_stack_that_no_longer_exists_loses_its_terraform_folder(outdir, environment):
    main.synth([environment], outdir)
    initialize(outdir, "azure-qa2west")
    (outdir / "stacks" / "gone-qa2west").mkdir()
    initialize(outdir, "gone-qa2west")

    main.synth([environment], outdir)

    assert not (outdir / "stacks" / "gone-qa2west").exists()
    assert not outdir.with_name("cdktf.out.retired").exists()


def test_a_committed_lock_file_is_put_in_place_for_its_stack(outdir, environment, tmp_path):
    locks = tmp_path / "locks"
    locks.mkdir()
    (locks / f"secrets-qa2west{LOCK}").write_text("# committed\n")

    main.synth([environment], outdir, locks=locks)

    assert (outdir / "stacks" / "secrets-qa2west" / LOCK).read_text() == "# committed\n"
    assert not (outdir / "stacks" / "azure-qa2west" / LOCK).exists()


def test_a_committed_lock_file_replaces_the_one_terraform_init_wrote(outdir, environment, tmp_path):
    main.synth([environment], outdir)
    initialize(outdir, "azure-qa2west")
    locks = tmp_path / "locks"
    locks.mkdir()
    (locks / f"azure-qa2west{LOCK}").write_text("# committed\n")

    main.synth([environment], outdir, locks=locks)

    assert (outdir / "stacks" / "azure-qa2west" / LOCK).read_text() == "# committed\n"
    assert (outdir / "stacks" / "azure-qa2west" / ".terraform" / "terraform.tfstate").is_file()


def test_main_puts_the_lock_files_of_the_locks_folder_in_place(tmp_path, monkeypatch):
    environments = tmp_path / "environments"
    environments.mkdir()
    (environments / "qa2west.yaml").write_text((main.ROOT / "environments" / "dev.yaml").read_text())
    locks = tmp_path / "locks"
    locks.mkdir()
    (locks / f"eso-qa2west{LOCK}").write_text("# committed\n")
    monkeypatch.setattr(main, "ENVIRONMENTS_DIR", environments)
    monkeypatch.setattr(main, "LOCKS_DIR", locks)
    monkeypatch.setattr(main, "write_manifests", lambda environments, root: [])
    monkeypatch.setenv("CDKTF_OUTDIR", str(tmp_path / "cdktf.out"))

    assert main.main([]) == 0

    assert (tmp_path / "cdktf.out" / "stacks" / "eso-qa2west" / LOCK).read_text() == "# committed\n"
