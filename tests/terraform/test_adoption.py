"""Taking over a manual setup through Terraform itself: each stack's first plan imports every object the environment
file adopts, and creates and destroys none of them.

The "manual setup" is the generated environment ``mig`` without its ``adopt`` section, applied into a state of its
own: the stand-ins record every object it made in a world folder of this module (``TF_STANDIN_WORLD``), which plays
the cloud and the cluster. The adopting file is ``mig`` with the IDs a user copies from that old state (and ``true``
where the names determine the ID); its stacks then run in deployment order against fresh, empty states: init, plan,
``show -json`` of the plan, apply, and a second plan that must be empty.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from config import parse_environment
from generated_environments import MIG, MIG_OFFICER
from main import synth
from terraform.harness import (
    Outcome,
    SharedStandins,
    Stack,
    deploy,
    deploy_all,
    read_stacks,
    state_file,
    terraform_environment,
    variable_values,
)

# What the manual setup has and no import can carry over, so the first apply makes it anew (docs/migration.md):
# the client secrets (their values are never returned), the random value of a generated secret, and the moments
# and waits that are Terraform's own bookkeeping.
MADE_ANEW = {"azuread_application_password", "random_password", "time_static", "time_sleep"}
ADOPTING_STEPS = (
    ("init", ["init", "-input=false", "-no-color"], (0,)),
    ("plan", ["plan", "-input=false", "-no-color", "-out=adopt.tfplan"], (0,)),
    ("show", ["show", "-json", "adopt.tfplan"], (0,)),
    ("apply", ["apply", "-input=false", "-no-color", "adopt.tfplan"], (0,)),
    ("re-plan", ["plan", "-input=false", "-no-color", "-detailed-exitcode"], (0,)),
)


def _synth(data: dict, folder: Path) -> list:
    env = parse_environment("environments/mig.yaml", yaml.safe_dump(data, sort_keys=False))
    outdir = folder / "cdktf.out"
    synth([env], outdir)
    return read_stacks(outdir)


def _managed(scratch: Path, stack: str) -> dict[str, dict]:
    """Address -> attributes of every managed resource in a stack's state."""
    state = json.loads(state_file(scratch, stack).read_text())
    return {
        f"{resource['type']}.{resource['name']}": resource["instances"][0]["attributes"]
        for resource in state["resources"]
        if resource["mode"] == "managed"
    }


def adopt_section(scratch: Path) -> dict:
    """``adopt`` of ``mig`` with the IDs of what the manual setup made, read from its states as a user would."""
    azure = _managed(scratch, "azure-mig")
    secrets = _managed(scratch, "secrets-mig")
    adopt = copy.deepcopy(MIG["adopt"])
    adopt["azure"].update(
        key_vault=azure["azurerm_key_vault.key_vault"]["id"],
        application=azure["azuread_application.eso_identity_application"]["object_id"],
        service_principal=azure["azuread_service_principal.eso_identity_service_principal"]["id"],
        role_assignments={
            "eso_secrets_user": azure["azurerm_role_assignment.vault_access_eso_secrets_user"]["id"],
            "deployer_secrets_officer": azure["azurerm_role_assignment.vault_access_deployer_secrets_officer"]["id"],
            "secrets_officers": {
                MIG_OFFICER: azure[f"azurerm_role_assignment.vault_access_secrets_officer_{MIG_OFFICER}"]["id"]
            },
        },
    )
    adopt["secrets"] = {
        attributes["name"]: attributes["id"]
        for address, attributes in secrets.items()
        if address.startswith("azurerm_key_vault_secret.")
    }
    return adopt


class Run(NamedTuple):
    stacks: list[Stack]  # the adopting environment's, in deployment order
    outcomes: dict[str, Outcome]
    by_name: Outcome  # init, plan and show of azure-mig adopting the resource group and the vault by name only
    made: dict[str, str]  # address -> ID of the resource group and vault the manual setup made


@pytest.fixture(scope="module")
def adoption(tmp_path_factory, terraform_binary, standin_cli_config):
    world = tmp_path_factory.mktemp("adoption-world")
    standins = SharedStandins(dict(terraform_environment(standin_cli_config), TF_STANDIN_WORLD=str(world)))
    try:
        environment = dict(terraform_environment(standin_cli_config), TF_REATTACH_PROVIDERS=standins.reattach)
        manual = {key: value for key, value in MIG.items() if key != "adopt"}
        manual_stacks = _synth(manual, tmp_path_factory.mktemp("manual-synth"))
        environment.update(variable_values(manual_stacks, "adopt"))
        manual_scratch = tmp_path_factory.mktemp("manual-run")
        manual_run = deploy_all(terraform_binary, manual_stacks, manual_scratch, environment)
        failed = {name: outcome.failure() for name, outcome in manual_run.items() if outcome.failed}
        assert failed == {}, "the manual setup could not be applied"

        adopting = dict(MIG, adopt=adopt_section(manual_scratch))
        stacks = _synth(adopting, tmp_path_factory.mktemp("adopting-synth"))
        outcomes = deploy_all(terraform_binary, stacks, tmp_path_factory.mktemp("adopting-run"), environment,
                              steps=lambda stack: ADOPTING_STEPS)

        # Names only: the IDs of the resource group and the vault derived in the subscription Terraform signs in to.
        by_name = dict(MIG, adopt={"azure": {"resource_group": True, "key_vault": True}})
        azure = next(stack for stack in _synth(by_name, tmp_path_factory.mktemp("by-name-synth"))
                     if stack.name == "azure-mig")
        derived = deploy(terraform_binary, azure, [azure], tmp_path_factory.mktemp("by-name-run"), environment,
                         steps=ADOPTING_STEPS[:3])
        manual_azure = _managed(manual_scratch, "azure-mig")
        # What the manual setup made, in the subscription the stand-ins sign in to.
        made = {address: manual_azure[address]["id"]
                for address in ("azurerm_resource_group.resource_group", "azurerm_key_vault.key_vault")}
    finally:
        standins.close()
    return Run(stacks, outcomes, derived, made)


def test_the_adopting_stacks_plan_apply_and_then_plan_no_change(adoption):
    outcomes = adoption.outcomes
    failures = {name: outcome.failure() for name, outcome in outcomes.items() if outcome.failed}
    assert failures == {}, "\n".join(failures.values())


def _changes(outcome) -> dict[str, dict]:
    return {change["address"]: change for change in json.loads(outcome.steps["show"].output)["resource_changes"]}


def test_each_first_plan_imports_every_declared_object_and_only_those(adoption):
    stacks, outcomes = adoption.stacks, adoption.outcomes
    declared = {stack.name: sorted(block["to"] for block in stack.synthesized.get("import", [])) for stack in stacks}
    imported = {
        name: sorted(address for address, change in _changes(outcome).items() if "importing" in change["change"])
        for name, outcome in outcomes.items()
    }
    assert all(declared.values()), declared
    assert imported == declared


def test_no_first_plan_creates_an_adopted_object_or_destroys_anything(adoption):
    stacks, outcomes = adoption.stacks, adoption.outcomes
    wrong = {}
    for stack in stacks:
        adopted = {block["to"] for block in stack.synthesized.get("import", [])}
        for address, change in _changes(outcomes[stack.name]).items():
            actions = change["change"]["actions"]
            if "delete" in actions or (address in adopted and actions not in (["no-op"], ["update"])):
                wrong[address] = actions
    assert wrong == {}


def test_the_first_plans_create_only_what_cannot_be_imported(adoption):
    outcomes = adoption.outcomes
    created = {
        change["type"]
        for outcome in outcomes.values()
        for change in _changes(outcome).values()
        if change["change"]["actions"] == ["create"]
    }
    assert created == MADE_ANEW



def test_ids_derived_from_names_import_in_the_subscription_terraform_signs_in_to(adoption):
    assert adoption.by_name.failed is None, adoption.by_name.failure()
    changes = _changes(adoption.by_name)
    assert {address: (change["change"]["actions"], change["change"]["importing"]["id"])
            for address, change in changes.items() if "importing" in change["change"]} == {
        address: (["no-op"], object_id) for address, object_id in adoption.made.items()
    }
