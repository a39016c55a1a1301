"""What an environment adopts (``adopt:``) becomes Terraform ``import`` blocks: one per declared object, at the
address of the resource that takes it over, with the import ID the provider documents; nothing else is imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from generated_environments import MIG, MIG_OFFICER, MIG_SUBSCRIPTION, MIG_VAULT
from support import ROOT, make_env, synth_app

SUBSCRIPTION = f"/subscriptions/{MIG_SUBSCRIPTION}"
ASSIGNMENTS = f"{MIG_VAULT}/providers/Microsoft.Authorization/roleAssignments"
SECRETS = "https://kv-mig-generated.vault.azure.net/secrets"

# stack -> {address: import ID}, for the generated environment `mig`.
EXPECTED = {
    "azure-mig": {
        "azurerm_resource_group.resource_group": f"{SUBSCRIPTION}/resourceGroups/rg-mig",
        "azurerm_key_vault.key_vault": MIG_VAULT,
        "azuread_application.eso_identity_application": "/applications/66666666-6666-6666-6666-666666666666",
        "azuread_service_principal.eso_identity_service_principal":
            "/servicePrincipals/77777777-7777-7777-7777-777777777777",
        "azurerm_role_assignment.vault_access_eso_secrets_user": f"{ASSIGNMENTS}/00000001-0000-0000-0000-000000000000",
        "azurerm_role_assignment.vault_access_deployer_secrets_officer":
            f"{ASSIGNMENTS}/00000002-0000-0000-0000-000000000000",
        f"azurerm_role_assignment.vault_access_secrets_officer_{MIG_OFFICER}":
            f"{ASSIGNMENTS}/00000003-0000-0000-0000-000000000000",
    },
    "secrets-mig": {
        "azurerm_key_vault_secret.app_myapp_db-username": f"{SECRETS}/myapp-db-username/{'0' * 31}7",
        "azurerm_key_vault_secret.app_myapp_db-host": f"{SECRETS}/myapp-db-host/{'0' * 31}3",
        "azurerm_key_vault_secret.app_myapp_db-password": f"{SECRETS}/myapp-db-password/{'0' * 31}7",
        "azurerm_key_vault_secret.app_worker_queue-token": f"{SECRETS}/worker-queue-token/{'0' * 31}8",
    },
    "eso-mig": {
        "kubernetes_namespace_v1.eso_namespace": "external-secrets",
        "helm_release.eso_release": "external-secrets/external-secrets",
        "kubernetes_secret_v1.azure_credentials": "external-secrets/eso-sp",
        "kubernetes_namespace_v1.app_myapp_namespace": "myapp",
    },
    "eso-config-mig": {
        "kubernetes_manifest.cluster_secret_store":
            "apiVersion=external-secrets.io/v1,kind=ClusterSecretStore,name=azure-kv-store-mig",
    },
    "apps-mig": {
        "kubernetes_manifest.app_myapp_external_secret":
            "apiVersion=external-secrets.io/v1,kind=ExternalSecret,namespace=myapp,name=myapp-db-credentials",
        "kubernetes_manifest.app_worker_external_secret":
            "apiVersion=external-secrets.io/v1,kind=ExternalSecret,namespace=worker,name=worker",
    },
}


def imports(stack: dict) -> dict[str, str]:
    return {block["to"]: block["id"] for block in stack.get("import", [])}


def test_an_adopting_environment_imports_every_declared_object_at_its_address_with_its_id(generated_set):
    synthesized = {
        path.parent.name: json.loads(path.read_text())
        for path in sorted(generated_set.outdir.glob("stacks/*-mig/cdk.tf.json"))
    }
    assert {name: imports(stack) for name, stack in synthesized.items()} == EXPECTED


def test_every_import_block_names_a_resource_of_its_stack(synth_set):
    for path in sorted(synth_set.outdir.glob("stacks/*/cdk.tf.json")):
        stack = json.loads(path.read_text())
        addresses = {f"{kind}.{name}" for kind, resources in stack.get("resource", {}).items() for name in resources}
        assert set(imports(stack)) <= addresses, path.parent.name


def test_an_environment_without_adopt_imports_nothing(example_set):
    found = {path.parent.name: imports(json.loads(path.read_text()))
             for path in sorted(example_set.outdir.glob("stacks/*/cdk.tf.json"))}
    assert {name: blocks for name, blocks in found.items() if blocks} == {}


def test_a_derived_azure_id_takes_the_subscription_terraform_signs_in_to_when_the_file_names_none(tmp_path):
    env = make_env({"adopt.azure": {"resource_group": True, "key_vault": True}})
    assert imports(synth_app([env], tmp_path)["azure-test"]) == {
        "azurerm_resource_group.resource_group":
            "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/rg-test",
        "azurerm_key_vault.key_vault": "/subscriptions/${data.azurerm_client_config.current.subscription_id}"
            "/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test",
    }


def test_a_derived_azure_id_takes_the_subscription_the_file_names(tmp_path):
    env = make_env({"azure.subscription_id": MIG_SUBSCRIPTION, "adopt.azure.resource_group": True})
    assert imports(synth_app([env], tmp_path)["azure-test"]) == {
        "azurerm_resource_group.resource_group": f"{SUBSCRIPTION}/resourceGroups/rg-test",
    }


def test_the_synth_says_what_an_adopting_environment_cannot_import(tmp_path):
    environments = tmp_path / "environments"
    environments.mkdir()
    (environments / "mig.yaml").write_text(yaml.safe_dump(MIG), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "main.py", "--environments-dir", str(environments)], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "CDKTF_OUTDIR": str(tmp_path / "cdktf.out")},
    )
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert [note.split(": ", 3)[2] for note in notes] == ["adopt.azure.application", "adopt.secrets.myapp-db-password"]
    assert "an application password cannot be imported" in notes[0]
    assert "a newly generated value as a new version" in notes[1]


def test_the_review_lists_what_each_stack_imports(generated_set, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("review_for_adoption", ROOT / "scripts" / "review.py")
    review = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = review  # dataclasses look their module up while the class is created
    spec.loader.exec_module(review)
    summary = review.render(generated_set.outdir, tmp_path)
    eso = summary.split("### Stack `eso-mig`\n", 1)[1].split("### ", 1)[0]
    line = next(line for line in eso.splitlines() if line.startswith("Imports"))
    assert line == (
        "Imports (existing objects the first plan takes over): "
        + ", ".join(f"`{address}` from `{object_id}`" for address, object_id in EXPECTED["eso-mig"].items())
    )


def test_an_azure_id_written_in_another_case_is_imported_with_the_canonical_segment_names(tmp_path):
    vault = f"/subscriptions/{MIG_SUBSCRIPTION}/resourcegroups/rg-test/providers/microsoft.keyvault/vaults/kv-test"
    env = make_env({"adopt.azure": {
        "key_vault": vault,
        "role_assignments": {"eso_secrets_user": f"{vault}/providers/microsoft.authorization/roleassignments/"
                                                 "00000001-0000-0000-0000-000000000000"},
        # The assignment's principal is taken over with it (see the rule tests).
        "application": "00000002-0000-0000-0000-000000000000",
        "service_principal": "00000003-0000-0000-0000-000000000000",
    }})
    canonical = f"{SUBSCRIPTION}/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test"
    found = imports(synth_app([env], tmp_path)["azure-test"])
    assert {address: found[address] for address in ("azurerm_key_vault.key_vault",
                                                    "azurerm_role_assignment.vault_access_eso_secrets_user")} == {
        "azurerm_key_vault.key_vault": canonical,
        "azurerm_role_assignment.vault_access_eso_secrets_user":
            f"{canonical}/providers/Microsoft.Authorization/roleAssignments/00000001-0000-0000-0000-000000000000",
    }


def test_a_stack_with_import_blocks_requires_terraform_1_6_for_an_import_id_that_is_an_expression(tmp_path):
    stacks = synth_app([make_env({"adopt.azure.resource_group": True})], tmp_path)
    assert "data.azurerm_client_config" in json.dumps(stacks["azure-test"]["import"])
    assert stacks["azure-test"]["terraform"]["required_version"] == ">= 1.6.0"
    assert "required_version" not in stacks["eso-test"]["terraform"]


def test_adopting_an_app_with_only_certificates_imports_each_certificate_s_external_secret(tmp_path):
    env = make_env({
        "apps": {"web": {"namespace": "web", "certificates": {"web-tls": {}}}},
        "adopt.apps.external_secrets": ["web"],
    })
    assert imports(synth_app([env], tmp_path)["apps-test"]) == {
        "kubernetes_manifest.app_web_certificate_web-tls":
            "apiVersion=external-secrets.io/v1,kind=ExternalSecret,namespace=web,name=web-web-tls",
    }
