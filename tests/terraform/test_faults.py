"""A failed apply half-way through a stack converges on the next apply: nothing created is replaced, no secret
value changes, and the plan after that is empty.

The environment is generated (not one of environments/); its secrets stack holds several vault secrets, and the
stand-in is told to fail the apply of the third of them (``TF_STANDIN_FAIL_APPLY``).
"""

from __future__ import annotations

import json

import pytest

from main import synth
from support import make_env
from terraform.harness import SharedStandins, deploy, prepare, read_stacks, state_file, terraform

APPS = {
    "shop": {
        "namespace": "shop",
        "static_secrets": {"db-host": "db.shop.internal", "db-name": "shop", "db-user": "shop"},
        "random_secrets": {"db-password": {}, "session-key": {"length": 48}},
    }
}


def _resources(state: dict, resource_type: str) -> dict[str, dict]:
    return {
        resource["name"]: resource["instances"][0]["attributes"]
        for resource in state.get("resources", [])
        if resource["type"] == resource_type and resource["mode"] == "managed"
    }


@pytest.fixture(scope="module")
def faulted(tmp_path_factory, terraform_binary, standin_cli_config, reattached_environment):
    """The generated environment's azure stack applied, then its secrets stack applied with a fault injected."""
    outdir = tmp_path_factory.mktemp("fault-synth") / "cdktf.out"
    synth([make_env({"apps": APPS}, name="faulty7")], outdir)
    stacks = read_stacks(outdir)
    scratch = tmp_path_factory.mktemp("fault-run")
    azure = next(stack for stack in stacks if stack.name == "azure-faulty7")
    secrets = next(stack for stack in stacks if stack.name == "secrets-faulty7")
    produced = deploy(terraform_binary, azure, stacks, scratch, reattached_environment)
    assert produced.failed is None, produced.failure()

    names = sorted(r["name"] for r in secrets.synthesized["resource"]["azurerm_key_vault_secret"].values())
    assert len(names) >= 3, names
    victim = names[2]
    failing = SharedStandins(dict(reattached_environment, TF_STANDIN_FAIL_APPLY=f"azurerm_key_vault_secret:name={victim}"))
    try:
        environment = dict(reattached_environment, TF_REATTACH_PROVIDERS=failing.reattach)
        directory = prepare(secrets, stacks, scratch)
        steps = [
            terraform(terraform_binary, ["init", "-input=false", "-no-color"], directory, environment, secrets.name),
            terraform(terraform_binary, ["apply", "-auto-approve", "-input=false", "-no-color"], directory, environment,
                      secrets.name),
        ]
    finally:
        failing.close()
    before = json.loads(state_file(scratch, secrets.name).read_text())
    return {"secrets": secrets, "directory": directory, "steps": steps, "victim": victim, "before": before,
            "scratch": scratch, "environment": reattached_environment}


def test_the_injected_fault_fails_the_apply_with_the_stand_ins_message(faulted):
    init, apply = faulted["steps"]
    assert init.returncode == 0, init.describe()
    assert apply.returncode == 1
    assert "Error: creating azurerm_key_vault_secret: injected fault" in apply.output


def test_the_failed_apply_kept_what_it_had_created(faulted):
    created = {attributes["name"] for attributes in _resources(faulted["before"], "azurerm_key_vault_secret").values()}
    assert faulted["victim"] not in created
    assert created, "nothing was created before the fault"


def test_the_next_apply_creates_only_what_is_missing_and_changes_no_secret(faulted, terraform_binary):
    directory, environment, name = faulted["directory"], faulted["environment"], faulted["secrets"].name
    plan = terraform(terraform_binary, ["plan", "-input=false", "-no-color", "-out=converge.tfplan"], directory,
                     environment, name)
    assert plan.returncode == 0, plan.describe()
    shown = terraform(terraform_binary, ["show", "-json", "converge.tfplan"], directory, environment, name)
    actions = {
        change["address"]: change["change"]["actions"]
        for change in json.loads(shown.output)["resource_changes"]
        if change["change"]["actions"] != ["no-op"] and change["mode"] == "managed"
    }
    assert list(actions.values()) == [["create"]], actions

    apply = terraform(terraform_binary, ["apply", "-input=false", "-no-color", "converge.tfplan"], directory,
                      environment, name)
    assert apply.returncode == 0, apply.describe()
    after = json.loads(state_file(faulted["scratch"], name).read_text())
    for resource_type in ("azurerm_key_vault_secret", "random_password"):
        old, new = _resources(faulted["before"], resource_type), _resources(after, resource_type)
        assert {key: new[key] for key in old} == old, f"{resource_type} changed on the converging apply"

    replan = terraform(terraform_binary, ["plan", "-input=false", "-no-color", "-detailed-exitcode"], directory,
                       environment, name)
    assert replan.returncode == 0, replan.describe()
