"""`make review`: scripts/review.py summarizes the synthesized JSON and manifests as Markdown tables."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import ROOT, require_example

SCRIPT = ROOT / "scripts" / "review.py"


@pytest.fixture(scope="module")
def review():
    spec = importlib.util.spec_from_file_location("review_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def summary(review, example_outdir, tmp_path_factory) -> str:
    """The summary of the examples (for tests about them: test_example_<env>_...)."""
    return review.render(example_outdir, tmp_path_factory.mktemp("no-manifests"))


@pytest.fixture(scope="module")
def set_summary(review, synth_set, relocated_synth) -> str:
    """The summary of each set of environments, with the GitOps files its relocated synth wrote."""
    return review.render(synth_set.outdir, relocated_synth.root / "manifests")


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().removeprefix("|").removesuffix("|").split(" | ")]


def row(summary: str, construct: str) -> str:
    """The table row of the resource with this construct path (the second column)."""
    rows = [line for line in summary.splitlines() if line.startswith("| ") and cells(line)[1:2] == [construct]]
    assert len(rows) == 1, f"{construct}: {rows}"
    return rows[0]


def section(summary: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    text = summary.split(heading + "\n", 1)[1]
    ends = [i for i in (text.find(f"\n{'#' * n} ") for n in range(1, len(level) + 1)) if i >= 0]
    return text[: min(ends)] if ends else text


def test_review_has_a_section_per_environment_and_stack(set_summary, synth_set):
    stacks = json.loads((synth_set.outdir / "manifest.json").read_text())["stacks"]
    assert {stack.rsplit("-", 1)[1] for stack in stacks} == {env.name for env in synth_set.environments}
    for stack in stacks:
        environment = stack.rsplit("-", 1)[1]
        assert f"### Stack `{stack}`" in section(set_summary, f"## Environment `{environment}`")


def test_review_lists_every_kubernetes_key_an_app_declares(set_summary, synth_set):
    for env in synth_set.environments:
        table = section(section(set_summary, f"## Environment `{env.name}`"), "### Secrets reaching Kubernetes")
        shown = {(cells(line)[0], cells(line)[3]) for line in table.splitlines() if line.startswith("| ")}
        declared = {
            (app.name, key)
            for app in env.apps
            if app.external_secret
            for key in [k8s_key for k8s_key, _ in app.external_secret.data] + list(app.external_secret.template)
        }
        assert {(app, key.removesuffix(" (template)")) for app, key in shown} >= declared, env.name


def test_example_prod_review_shows_the_vault_hardening(summary, example_set):
    require_example(example_set, "prod")
    settings = cells(row(section(summary, "### Stack `azure-prod`"), "key_vault"))[2].split("<br>")
    for expected in (
        "sku_name: premium",
        "rbac_authorization_enabled: true",
        "purge_protection_enabled: true",
        "soft_delete_retention_days: 90",
        "public_network_access_enabled: true",
        "network_acls.default_action: Deny",
        "network_acls.bypass: AzureServices",
        "network_acls.ip_rules: 203.0.113.0/24",
        "lifecycle.prevent_destroy: true",
    ):
        assert expected in settings


def test_example_dev_review_shows_role_principal_and_scope_of_a_role_assignment(summary, example_set):
    require_example(example_set, "dev")
    assert row(section(summary, "### Stack `azure-dev`"), "vault_access/eso_secrets_user") == (
        "| `azurerm_role_assignment.vault_access_eso_secrets_user` | vault_access/eso_secrets_user | "
        "role_definition_name: Key Vault Secrets User<br>principal_id: eso_identity/service_principal.object_id<br>"
        "principal_type: ServicePrincipal<br>scope: key_vault.id |"
    )


def test_example_dev_review_marks_sensitive_outputs(summary, example_set):
    require_example(example_set, "dev")
    assert "`eso_client_secret` (sensitive)" in section(summary, "### Stack `azure-dev`")


def test_example_prod_review_says_when_no_secret_reaches_kubernetes_through_terraform(summary, example_set):
    require_example(example_set, "prod")
    assert "No ExternalSecret in this environment." in section(summary, "## Environment `prod`")


def test_review_command_prints_the_summary(review, example_outdir, tmp_path):
    process = subprocess.run(
        [sys.executable, str(SCRIPT), "--outdir", str(example_outdir), "--manifests", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert process.stdout == review.render(example_outdir, tmp_path)


def test_review_command_without_a_synth_says_what_to_run(tmp_path):
    process = subprocess.run(
        [sys.executable, str(SCRIPT), "--outdir", str(tmp_path)], capture_output=True, text=True
    )
    assert (process.returncode, process.stderr) == (
        2,
        f"error: {tmp_path}/manifest.json not found: run `make synth` first\n",
    )


def test_review_never_shows_backend_credentials(review):
    synthesized = {
        "terraform": {
            "backend": {
                "azurerm": {
                    "storage_account_name": "sttfstate",
                    "key": "eso-dev.tfstate",
                    "access_key": "x",
                    "sas_token": "y",
                }
            }
        }
    }
    assert review.backend_line(synthesized) == (
        "Backend: azurerm (key: eso-dev.tfstate, storage_account_name: sttfstate)"
    )


# --- secrets reaching Kubernetes, from a small hand-made outdir and manifests folder ------------------------------

ESO_CONFIG_DEV = {
    "resource": {
        "helm_release": {
            "eso_chart_1A2B": {
                "//": {"metadata": {"path": "eso-config-dev/chart"}},
                "name": "external-secrets",
                "chart": "external-secrets",
                "repository": "https://charts.external-secrets.io",
                "version": "2.9.0",
                "namespace": "external-secrets",
            }
        },
        "kubernetes_manifest": {
            "store_3C4D": {
                "//": {"metadata": {"path": "eso-config-dev/store"}},
                "manifest": {
                    "apiVersion": "external-secrets.io/v1",
                    "kind": "ClusterSecretStore",
                    "metadata": {"name": "azure-kv-store-dev"},
                    "spec": {
                        "provider": {
                            "azurekv": {"vaultUrl": "${data.terraform_remote_state.azure.outputs.key_vault_uri}"}
                        }
                    },
                },
            },
            "myapp_db_5E6F": {
                "//": {"metadata": {"path": "eso-config-dev/myapp/db"}},
                "manifest": {
                    "apiVersion": "external-secrets.io/v1",
                    "kind": "ExternalSecret",
                    "metadata": {
                        "name": "myapp-db",
                        "namespace": "myapp",
                        "labels": {"app.kubernetes.io/part-of": "myapp"},
                    },
                    "spec": {
                        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "azure-kv-store-dev"},
                        "target": {"name": "myapp-db-credentials"},
                        "data": [
                            {"secretKey": "DB_PASSWORD", "remoteRef": {"key": "myapp-db-password"}},
                            {"secretKey": "DB_USER", "remoteRef": {"key": "myapp-db", "property": "user"}},
                        ],
                    },
                },
            },
        },
    }
}

BILLING_YAML = [
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "billing-api", "namespace": "billing"},
        "spec": {
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "azure-kv-store-dev"},
            "target": {
                "template": {
                    "data": {"DATABASE_URL": "postgres://{{ .user }}:{{ .password }}@db:5432/billing"},
                    "mergePolicy": "Merge",
                }
            },
            "data": [
                {"secretKey": "user", "remoteRef": {"key": "billing-db-user"}},
                {"secretKey": "password", "remoteRef": {"key": "billing-db-password", "version": "3f2a"}},
            ],
            "dataFrom": [{"extract": {"key": "billing-api-keys"}}],
        },
    },
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterExternalSecret",
        "metadata": {"name": "registry-pull"},
        "spec": {
            "namespaces": ["billing", "myapp"],
            "externalSecretName": "registry",
            "externalSecretSpec": {
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": "azure-kv-store-dev"},
                "dataFrom": [
                    {
                        "find": {"name": {"regexp": "^registry-"}},
                        "rewrite": [{"regexp": {"source": "registry-", "target": ""}}],
                    }
                ],
            },
        },
    },
]


@pytest.fixture
def hand_made(tmp_path) -> tuple[Path, Path]:
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "eso-config-dev").mkdir(parents=True)
    (outdir / "stacks" / "eso-config-dev" / "cdk.tf.json").write_text(json.dumps(ESO_CONFIG_DEV))
    manifest = {"stacks": {"eso-config-dev": {"synthesizedStackPath": "stacks/eso-config-dev/cdk.tf.json"}}}
    (outdir / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "manifests" / "dev").mkdir(parents=True)
    (tmp_path / "manifests" / "dev" / "billing.yaml").write_text(yaml.safe_dump_all(BILLING_YAML))
    return outdir, tmp_path / "manifests"


def test_review_maps_vault_secrets_to_namespaces_and_kubernetes_keys(review, hand_made):
    summary = review.render(*hand_made)
    assert section(summary, "### Secrets reaching Kubernetes").strip().splitlines() == [
        "| App | Namespace | Kubernetes Secret | Key | Key Vault secret | Store | Declared in |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| billing | billing | billing-api | DATABASE_URL (template)"
        " | billing-db-user, billing-db-password (version 3f2a)"
        " | ClusterSecretStore/azure-kv-store-dev | manifests/dev/billing.yaml |",
        "| billing | billing | billing-api | every property | billing-api-keys (JSON, all properties)"
        " | ClusterSecretStore/azure-kv-store-dev | manifests/dev/billing.yaml |",
        "| billing | billing | billing-api | password | billing-db-password (version 3f2a)"
        " | ClusterSecretStore/azure-kv-store-dev | manifests/dev/billing.yaml |",
        "| billing | billing | billing-api | user | billing-db-user"
        " | ClusterSecretStore/azure-kv-store-dev | manifests/dev/billing.yaml |",
        "| billing, myapp | billing, myapp | registry | one per secret found (keys rewritten)"
        " | every secret with names matching /^registry-/ | ClusterSecretStore/azure-kv-store-dev"
        " | manifests/dev/billing.yaml |",
        "| myapp | myapp | myapp-db-credentials | DB_PASSWORD | myapp-db-password"
        " | ClusterSecretStore/azure-kv-store-dev | eso-config-dev: myapp/db |",
        "| myapp | myapp | myapp-db-credentials | DB_USER | myapp-db (property user)"
        " | ClusterSecretStore/azure-kv-store-dev | eso-config-dev: myapp/db |",
    ]


def test_review_shows_the_chart_version_of_a_helm_release(review, hand_made):
    summary = review.render(*hand_made)
    assert cells(row(summary, "chart"))[2] == (
        "name: external-secrets<br>chart: external-secrets<br>version: 2.9.0<br>"
        "repository: https://charts.external-secrets.io<br>namespace: external-secrets"
    )


def test_review_names_referenced_resources_by_construct_path(review):
    references = review.References(
        "azure-dev",
        {
            "resource": {
                "azurerm_key_vault": {"key_vault_1": {"//": {"metadata": {"path": "azure-dev/key_vault/vault"}}}}
            },
            "data": {"azurerm_client_config": {"current": {"//": {"metadata": {"path": "azure-dev/current"}}}}},
        },
    )
    assert references.render("${azurerm_key_vault.key_vault_1.id}/secrets") == "key_vault/vault.id/secrets"
    assert references.render("${data.azurerm_client_config.current.tenant_id}") == (
        "data.azurerm_client_config.current.tenant_id"
    )
    assert references.render("${var.db_password}") == "var.db_password"


def test_review_follows_a_cross_stack_reference_to_the_other_stacks_resource(review):
    stacks = {
        "azure-dev": {
            "resource": {"azurerm_key_vault": {"kv_1": {"//": {"metadata": {"path": "azure-dev/key_vault/vault"}}}}},
            "output": {"cross-stack-output-azurerm_key_vaultkv_1id": {"value": "${azurerm_key_vault.kv_1.id}"}},
        },
        "secrets-dev": {},
    }
    references = review.References("secrets-dev", stacks["secrets-dev"], stacks)
    reference = (
        "${data.terraform_remote_state.cross-stack-reference-input-azure-dev.outputs."
        "cross-stack-output-azurerm_key_vaultkv_1id}"
    )
    assert references.render(reference) == "azure-dev: key_vault/vault.id"


def test_review_shows_where_kubernetes_secret_values_come_from_but_no_literal(review):
    body = {
        "metadata": {"name": "azure-secret-creds"},
        "data": {"ClientID": "${azuread_application.app_1.client_id}", "ClientSecret": "s3cr3t-literal"},
    }
    stack = {"resource": {"azuread_application": {"app_1": {"//": {"metadata": {"path": "azure-dev/eso/app"}}}}}}
    shown = review.settings("kubernetes_secret_v1", body, review.References("azure-dev", stack))
    assert shown == [
        "metadata.name: azure-secret-creds",
        "data: ClientID=eso/app.client_id, ClientSecret=(literal, not shown)",
    ]


def test_review_flattens_helm_values_without_credentials(review):
    body = {"chart": "external-secrets", "values": ['{"replicaCount": 2, "webhook": {"token": "x", "port": 10250}}']}
    shown = review.settings("helm_release", body, review.References("eso-dev", {}))
    assert shown == ["chart: external-secrets", "values: replicaCount=2, webhook.port=10250"]


# --- generated secrets: their alphabet and their rotation ----------------------------------------------------------

ROTATED = {"apps": {"billing": {"random_secrets": {"api-token": {"version": 2}}}}}


@pytest.fixture(scope="module", params=[False, True], ids=["in state", "write-only"])
def rotated_summary(request, review, tmp_path_factory) -> tuple[str, bool]:
    """The secrets stack of a generated environment whose random secret is at version 2, with the value in state
    (random_password) or write-only (an ephemeral random_password and value_wo_version)."""
    from support import WRITE_ONLY, make_env, synth_app

    write_only = request.param
    env = make_env({**ROTATED, **(WRITE_ONLY if write_only else {})}, name="qa5")
    outdir = tmp_path_factory.mktemp("rotated") / "cdktf.out"
    synth_app([env], outdir)
    summary = review.render(outdir, tmp_path_factory.mktemp("no-manifests"))
    return section(summary, "### Stack `secrets-qa5`"), write_only


def generated_value_settings(summary: str) -> list[str]:
    """The settings of the one random_password row (resource or ephemeral resource)."""
    rows = [line for line in summary.splitlines() if "random_password." in line.split(" | ")[0]]
    assert len(rows) == 1, rows
    return cells(rows[0])[2].split("<br>")


def test_review_shows_the_alphabet_of_a_generated_secret(rotated_summary):
    summary, _ = rotated_summary
    settings = generated_value_settings(summary)
    assert "special: true" in settings
    assert "override_special: -_" in settings


def test_review_shows_the_rotation_version_of_a_generated_secret(rotated_summary):
    summary, write_only = rotated_summary
    if write_only:
        vault_secret = cells(row(summary, "app/billing/api-token"))[2].split("<br>")
        assert "value_wo_version: 2" in vault_secret
    else:
        assert "keepers.version: 2" in generated_value_settings(summary)


def test_review_lists_ephemeral_resources_with_their_settings(rotated_summary):
    summary, write_only = rotated_summary
    ephemeral = [line for line in summary.splitlines() if line.startswith("| `ephemeral.random_password.")]
    assert len(ephemeral) == (1 if write_only else 0)
