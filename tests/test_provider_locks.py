"""Provider lock files (locks/<stack>.terraform.lock.hcl): the guard that keeps stand-in locks out of Git, and
`make provider-locks`."""

from __future__ import annotations

import importlib.util
import json
import stat
from pathlib import Path

import pytest

from support import ROOT

spec = importlib.util.spec_from_file_location("provider_locks", ROOT / "scripts" / "provider_locks.py")
provider_locks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(provider_locks)

NAME = "azure-qa3.terraform.lock.hcl"
STACK = {
    "terraform": {
        "required_providers": {
            "azurerm": {"source": "azurerm", "version": "4.55.0"},
            "time": {"source": "hashicorp/time", "version": "0.13.1"},
        }
    }
}


def block(source: str, version: str, hashes: list[str]) -> str:
    lines = "\n".join(f'    "{value}",' for value in hashes)
    return (
        f'provider "{source}" {{\n  version     = "{version}"\n  constraints = "{version}"\n'
        f"  hashes = [\n{lines}\n  ]\n}}\n"
    )


# As `terraform providers lock` against the registry writes them: h1: for the named platforms, zh: for all.
REGISTRY_LOCK = block(
    "registry.terraform.io/hashicorp/azurerm", "4.55.0", ["h1:AAAA=", "zh:0123", "zh:4567"]
) + block("registry.terraform.io/hashicorp/time", "0.13.1", ["h1:BBBB=", "zh:89ab"])


def test_a_lock_file_from_the_registry_fits_its_stack():
    assert provider_locks.lock_problems(NAME, REGISTRY_LOCK, STACK, ["azure-qa3"]) == []


def test_a_lock_file_written_against_a_local_mirror_is_refused():
    """The tests' stand-in providers are installed from a filesystem mirror: their lock has h1: hashes only."""
    text = block("registry.terraform.io/hashicorp/azurerm", "4.55.0", ["h1:AAAA="]) + block(
        "registry.terraform.io/hashicorp/time", "0.13.1", ["h1:BBBB=", "zh:89ab"]
    )
    assert provider_locks.lock_problems(NAME, text, STACK, ["azure-qa3"]) == [
        f"{NAME}: provider registry.terraform.io/hashicorp/azurerm: no zh: hashes, so it was not locked against the "
        "registry (a local mirror, such as the tests' stand-in providers, gives h1: only): run make provider-locks "
        "on a machine that reaches the registry"
    ]


def test_a_locked_version_other_than_the_pinned_one_is_refused():
    text = REGISTRY_LOCK.replace('"4.55.0"', '"4.54.0"')
    assert provider_locks.lock_problems(NAME, text, STACK, ["azure-qa3"]) == [
        f"{NAME}: provider registry.terraform.io/hashicorp/azurerm: locked at 4.54.0, the stack pins 4.55.0"
    ]


def test_a_provider_the_stack_requires_must_be_locked():
    text = block("registry.terraform.io/hashicorp/azurerm", "4.55.0", ["h1:AAAA=", "zh:0123"])
    assert provider_locks.lock_problems(NAME, text, STACK, ["azure-qa3"]) == [
        f"{NAME}: provider registry.terraform.io/hashicorp/time: not locked, and the stack requires it"
    ]


def test_a_provider_the_stack_does_not_use_is_refused():
    text = REGISTRY_LOCK + block("registry.terraform.io/hashicorp/random", "3.7.2", ["h1:CCCC=", "zh:cdef"])
    assert provider_locks.lock_problems(NAME, text, STACK, ["azure-qa3"]) == [
        f"{NAME}: provider registry.terraform.io/hashicorp/random: the stack does not use it "
        "(registry.terraform.io/hashicorp/azurerm, registry.terraform.io/hashicorp/time)"
    ]


def test_a_lock_file_for_a_stack_that_does_not_exist_is_refused():
    assert provider_locks.lock_problems("azure-gone.terraform.lock.hcl", REGISTRY_LOCK, None, ["azure-qa3"]) == [
        "azure-gone.terraform.lock.hcl: there is no stack 'azure-gone' (the stacks: azure-qa3)"
    ]


@pytest.mark.parametrize(
    ("source", "full"),
    [
        ("azurerm", "registry.terraform.io/hashicorp/azurerm"),
        ("hashicorp/helm", "registry.terraform.io/hashicorp/helm"),
        ("registry.terraform.io/hashicorp/kubernetes", "registry.terraform.io/hashicorp/kubernetes"),
    ],
)
def test_provider_sources_are_compared_in_full(source, full):
    assert provider_locks.full_source(source) == full


def test_every_committed_lock_file_came_from_the_registry_and_fits_its_stack(example_outdir):
    assert provider_locks.check(ROOT / "locks", example_outdir) == []


def fake_terraform(tmp_path: Path, lock_text: str) -> str:
    """A stand-in `terraform` whose `providers lock` writes ``lock_text`` into the -chdir folder."""
    script = tmp_path / "terraform"
    script.write_text(
        "#!/bin/sh\n"
        'dir="${1#-chdir=}"\n'
        f"cat > \"$dir/.terraform.lock.hcl\" <<'LOCK'\n{lock_text}LOCK\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def outdir_with(tmp_path: Path) -> Path:
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "azure-qa3").mkdir(parents=True)
    (outdir / "stacks" / "azure-qa3" / "cdk.tf.json").write_text(json.dumps(STACK))
    return outdir


def test_refresh_copies_a_registry_lock_file_into_locks(tmp_path):
    locks = tmp_path / "locks"
    terraform = fake_terraform(tmp_path, REGISTRY_LOCK)
    assert provider_locks.refresh([], ["linux_amd64"], outdir_with(tmp_path), locks, terraform) == 0
    assert (locks / NAME).read_text() == REGISTRY_LOCK


def test_refresh_refuses_to_copy_a_lock_file_without_registry_hashes(tmp_path, capsys):
    locks = tmp_path / "locks"
    terraform = fake_terraform(tmp_path, REGISTRY_LOCK.replace('"zh:', '"h1:'))
    assert provider_locks.refresh([], ["linux_amd64"], outdir_with(tmp_path), locks, terraform) == 1
    assert not (locks / NAME).exists()
    assert "no zh: hashes" in capsys.readouterr().err
