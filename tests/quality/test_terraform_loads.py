"""Terraform itself loads every synthesized stack: `terraform init -backend=false`, offline, gets to the providers."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from quality.terraform_loading import (
    MINIMUM_VERSION,
    PROVIDER_NOT_FOUND,
    classify,
    load,
    load_all,
    offline_cli_config,
    terraform_environment,
    terraform_version,
)


@pytest.fixture(scope="module")
def terraform() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("no terraform binary on PATH: Terraform's configuration loading cannot be checked here")
    version = terraform_version(binary)
    if version < MINIMUM_VERSION:
        pytest.skip(f"terraform {'.'.join(map(str, version))} is older than 1.9: its init has no -json output")
    return binary


@pytest.fixture(scope="module")
def offline(tmp_path_factory) -> dict[str, str]:
    return terraform_environment(offline_cli_config(tmp_path_factory.mktemp("terraform-cli")))


def stack_directories(outdir: Path) -> dict[str, Path]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {name: outdir / stack["workingDirectory"] for name, stack in sorted(manifest["stacks"].items())}


def a_stack_with_resources_and_providers(outdir: Path) -> tuple[str, Path, dict]:
    for name, directory in stack_directories(outdir).items():
        synthesized = json.loads((directory / "cdk.tf.json").read_text())
        if synthesized.get("resource") and synthesized.get("terraform", {}).get("required_providers"):
            return name, directory, synthesized
    raise AssertionError(f"no stack in {outdir} has resources and providers")


def test_every_stack_gets_past_terraform_configuration_loading(terraform, offline, synth_set, tmp_path):
    loadings = load_all(terraform, stack_directories(synth_set.outdir), tmp_path, offline)
    assert {name: loading.problems for name, loading in loadings.items() if loading.problems} == {}
    assert [name for name, loading in loadings.items() if not loading.got_past_configuration_loading] == []


# A stack broken the way a refactor could break it, and the summary of the error Terraform gives.
BREAKAGES = {
    "misspelt lifecycle argument": (
        lambda resource, stack: resource.setdefault("lifecycle", {}).update(ignore_change=["tags"]),
        "Extraneous JSON object property",
    ),
    "depends_on with an interpolation": (
        lambda resource, stack: resource.update(depends_on=["${azurerm_resource_group.resource_group}"]),
        "Invalid expression",
    ),
    "unknown top-level block": (
        lambda resource, stack: stack.update(resources={}),
        "Extraneous JSON object property",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_broken_stack_is_reported_as_a_configuration_error(terraform, offline, example_outdir, tmp_path, breakage):
    name, _, synthesized = a_stack_with_resources_and_providers(example_outdir)
    broken = copy.deepcopy(synthesized)
    resources = broken["resource"]
    first_resource = next(iter(next(iter(resources.values())).values()))
    change, summary = BREAKAGES[breakage]
    change(first_resource, broken)
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "cdk.tf.json").write_text(json.dumps(broken, indent=2))

    loading = load(terraform, name, tmp_path / "source", tmp_path / "scratch", offline)

    assert loading.provider_errors == []
    assert any(problem.startswith(f"error: {summary} (cdk.tf.json:") for problem in loading.problems), loading.problems
    assert not loading.got_past_configuration_loading


def test_valid_stack_fails_only_for_want_of_providers(terraform, offline, example_outdir, tmp_path):
    name, directory, synthesized = a_stack_with_resources_and_providers(example_outdir)
    providers = synthesized["terraform"]["required_providers"]
    loading = load(terraform, name, directory, tmp_path, offline)
    assert loading.problems == []
    assert len(loading.provider_errors) == len(providers)
    assert all(error.startswith(f"error: {PROVIDER_NOT_FOUND}: ") for error in loading.provider_errors)


def test_cli_configuration_installs_providers_from_an_empty_folder_only(tmp_path):
    config = offline_cli_config(tmp_path).read_text()
    assert "direct" not in config and "network_mirror" not in config
    assert list((tmp_path / "empty-provider-mirror").iterdir()) == []


def test_terraform_runs_without_plugin_cache_credentials_or_reachable_proxy(monkeypatch, tmp_path):
    monkeypatch.setenv("TF_PLUGIN_CACHE_DIR", "/somewhere")
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "token")
    monkeypatch.setenv("TF_CLI_ARGS_init", "-upgrade")
    environment = terraform_environment(tmp_path / "offline.tfrc")
    assert sorted(name for name in environment if name.startswith("TF_")) == [
        "TF_CLI_CONFIG_FILE",
        "TF_INPUT",
        "TF_IN_AUTOMATION",
    ]
    assert environment["HTTPS_PROXY"] == "http://127.0.0.1:9"


def test_init_output_is_sorted_into_missing_providers_and_configuration_problems():
    lines = [
        {"type": "version", "terraform": "1.11.4"},
        {"type": "diagnostic", "diagnostic": {"severity": "error", "summary": PROVIDER_NOT_FOUND, "detail": "azurerm"}},
        {
            "type": "diagnostic",
            "diagnostic": {
                "severity": "warning",
                "summary": "Deprecated attribute",
                "detail": "use\n  x",
                "range": {"filename": "cdk.tf.json", "start": {"line": 7}},
            },
        },
    ]
    loading = classify("azure-dev", 1, "\n".join(json.dumps(line) for line in lines))
    assert loading.provider_errors == [f"error: {PROVIDER_NOT_FOUND}: azurerm"]
    assert loading.problems == ["warning: Deprecated attribute (cdk.tf.json:7): use x"]
