"""The harness's own parts: the environment Terraform runs in, the mirror, the stack plumbing."""

from __future__ import annotations

import json

from terraform.harness import (
    OVERRIDE,
    Stack,
    environments,
    install_mirror,
    prepare,
    producers,
    terraform_environment,
)


def _stack(name: str, dependencies=(), synthesized=None, source=None) -> Stack:
    return Stack(name, source, tuple(dependencies), synthesized or {})


def test_terraform_runs_without_plugin_cache_credentials_or_reachable_proxy(monkeypatch, tmp_path):
    monkeypatch.setenv("TF_PLUGIN_CACHE_DIR", "/somewhere")
    monkeypatch.setenv("TF_TOKEN_app_terraform_io", "token")
    monkeypatch.setenv("TF_CLI_ARGS_init", "-upgrade")
    monkeypatch.setenv("TF_REATTACH_PROVIDERS", "{}")
    environment = terraform_environment(tmp_path / "standin.tfrc")
    assert sorted(name for name in environment if name.startswith("TF_")) == [
        "TF_CLI_CONFIG_FILE",
        "TF_INPUT",
        "TF_IN_AUTOMATION",
    ]
    assert environment["HTTPS_PROXY"] == "http://127.0.0.1:9"


def test_cli_configuration_installs_hashicorp_providers_from_the_mirror_only(tmp_path):
    config = install_mirror(tmp_path, {"azurerm": "4.55.0"}).read_text()
    assert '"registry.terraform.io/hashicorp/*"' in config and "network_mirror" not in config
    launcher = tmp_path / "mirror/registry.terraform.io/hashicorp/azurerm/4.55.0/linux_amd64/terraform-provider-azurerm_v4.55.0"
    assert launcher.read_text().endswith('--provider azurerm "$@"\n')


def test_stacks_that_depend_on_each_other_form_one_environment():
    stacks = [_stack("a-x"), _stack("a-y"), _stack("b-x", ["a-x"]), _stack("c-x", ["b-x"]), _stack("b-y", ["a-y"])]
    assert [[s.name for s in group] for group in environments(stacks)] == [["a-x", "b-x", "c-x"], ["a-y", "b-y"]]


def test_remote_state_is_matched_to_its_producer_by_the_state_it_reads(tmp_path):
    producer = _stack("core-west", synthesized={"terraform": {"cloud": {"workspaces": {"name": "ws-core"}}}})
    consumer = _stack(
        "apps-west",
        ["core-west"],
        {"data": {"terraform_remote_state": {"core": {"backend": "remote", "config": {"workspaces": {"name": "ws-core"}}}}}},
    )
    assert producers(consumer, [producer, consumer]) == {"core": "core-west"}


def test_override_points_the_backend_and_remote_state_into_the_scratch_folder(tmp_path):
    source = tmp_path / "synth"
    source.mkdir()
    (source / "cdk.tf.json").write_text("{}")
    producer = _stack("azure-qa", source=source)
    consumer = _stack(
        "secrets-qa",
        ["azure-qa"],
        {"data": {"terraform_remote_state": {"cross-stack-reference-input-azure-qa": {"backend": "local"}}}},
        source,
    )
    override = json.loads((prepare(consumer, [producer, consumer], tmp_path / "run") / OVERRIDE).read_text())
    assert override == {
        "terraform": {"backend": {"local": {"path": str(tmp_path / "run/state/secrets-qa.tfstate")}}},
        "data": {
            "terraform_remote_state": {
                "cross-stack-reference-input-azure-qa": {
                    "backend": "local",
                    "config": {"path": str(tmp_path / "run/state/azure-qa.tfstate")},
                }
            }
        },
    }
