"""Rules across the environment files of one folder, with the exact message a user sees."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from config import ConfigError, load_environments
from support import MINIMAL


def write(directory: Path, name: str, vault: str, **changes) -> None:
    data = copy.deepcopy(MINIMAL)
    data["key_vault"]["name"] = vault
    data.update(changes)
    (directory / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def test_two_files_naming_one_vault_are_refused_with_both_files(tmp_path):
    write(tmp_path, "dev", "kv-shared")
    write(tmp_path, "prod", "kv-shared")
    with pytest.raises(ConfigError) as error:
        load_environments(tmp_path, root=tmp_path.parent)
    assert str(error.value) == (
        f"{tmp_path.name}/prod.yaml: key_vault.name 'kv-shared': is also the vault of {tmp_path.name}/dev.yaml "
        "('kv-shared'; Key Vault names are globally unique, ignoring case): give each environment a vault of its own"
    )


def test_vault_names_differing_only_in_case_are_refused(tmp_path):
    write(tmp_path, "dev", "kv-shared")
    write(tmp_path, "staging", "KV-Shared")
    with pytest.raises(ConfigError) as error:
        load_environments(tmp_path, root=tmp_path)
    assert str(error.value) == (
        "staging.yaml: key_vault.name 'KV-Shared': is also the vault of dev.yaml ('kv-shared'; Key Vault names are "
        "globally unique, ignoring case): give each environment a vault of its own"
    )


def test_one_selected_environment_is_checked_against_the_files_not_loaded(tmp_path):
    write(tmp_path, "dev", "kv-shared")
    write(tmp_path, "prod", "kv-shared")
    with pytest.raises(ConfigError) as error:
        load_environments(tmp_path, ["dev"], root=tmp_path)
    assert str(error.value) == (
        "prod.yaml: key_vault.name 'kv-shared': is also the vault of dev.yaml ('kv-shared'; Key Vault names are "
        "globally unique, ignoring case): give each environment a vault of its own"
    )


def test_a_broken_file_not_selected_does_not_block_another_environment(tmp_path):
    write(tmp_path, "dev", "kv-dev")
    (tmp_path / "wip.yaml").write_text("key_vault: [unclosed\n", encoding="utf-8")
    assert [env.name for env in load_environments(tmp_path, ["dev"], root=tmp_path)] == ["dev"]


def test_files_with_their_own_vaults_load(tmp_path):
    write(tmp_path, "dev", "kv-dev")
    write(tmp_path, "prod", "kv-prod")
    assert [env.key_vault.name for env in load_environments(tmp_path, root=tmp_path)] == ["kv-dev", "kv-prod"]
