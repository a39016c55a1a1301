"""Stack eso-<env>: ESO's Helm release and, in service principal mode, its credentials Secret.

These stacks refer to the azure stack, so they are synthesized with the whole app (``synth_app``): only a real
synth turns cross-stack references into outputs and ``terraform_remote_state``.
"""

from __future__ import annotations

import re

import yaml

from eso_checks import chart_values_problems
from support import make_env, only, resources, synth_app

WORKLOAD_IDENTITY = {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"}
REMOTE_OUTPUT = re.compile(r"data\.terraform_remote_state\.cross-stack-reference-input-azure-test\.outputs\.([\w-]+)")


def azure_output_behind(reference: str, synthesized: dict) -> dict:
    """The azure stack's output that a ``${...}`` reference in another stack reads through remote state."""
    match = REMOTE_OUTPUT.search(reference)
    assert match, f"{reference!r} does not read the azure stack's state"
    return synthesized["azure-test"]["output"][match.group(1)]


def release_values(stack: dict) -> dict:
    (values,) = only(stack, "helm_release")["values"]
    return yaml.safe_load(values)


def test_providers_reach_the_cluster_through_the_kubeconfig_only(tmp_path):
    env = make_env({"cluster": {"kubeconfig_path": "~/.kube/aks", "context": "aks-test"}})
    provider = synth_app([env], tmp_path)["eso-test"]["provider"]
    assert provider["kubernetes"] == [{"config_path": "~/.kube/aks", "config_context": "aks-test"}]
    assert provider["helm"] == [{"kubernetes": {"config_path": "~/.kube/aks", "config_context": "aks-test"}}]


def test_stateful_resources_keep_their_ids(tmp_path):
    stack = synth_app([make_env()], tmp_path)["eso-test"]
    assert {kind: sorted(found) for kind, found in stack["resource"].items()} == {
        "helm_release": ["eso_release"],
        "kubernetes_namespace_v1": ["eso_namespace"],
        "kubernetes_secret_v1": ["azure_credentials"],
    }


def test_state_at_the_former_ids_moves_to_the_readable_ones(tmp_path):
    stack = synth_app([make_env()], tmp_path)["eso-test"]
    assert stack["moved"] == [
        {"from": "helm_release.eso_release_ACFCB62B", "to": "helm_release.eso_release"},
        {"from": "kubernetes_namespace_v1.eso_namespace_4166A5F2", "to": "kubernetes_namespace_v1.eso_namespace"},
        {"from": "kubernetes_secret_v1.azure_credentials_secret_635317B5", "to": "kubernetes_secret_v1.azure_credentials"},
    ]


def test_service_principal_credentials_come_from_the_azure_stack(tmp_path):
    synthesized = synth_app([make_env()], tmp_path)
    data = only(synthesized["eso-test"], "kubernetes_secret_v1")["data"]
    assert azure_output_behind(data["client-id"], synthesized)["value"].startswith("${azuread_application.")
    assert data["client-secret"].startswith("${sensitive(data.terraform_remote_state.")
    secret_output = azure_output_behind(data["client-secret"], synthesized)
    assert secret_output == {"sensitive": True, "value": secret_output["value"]}
    assert re.fullmatch(r"\$\{azuread_application_password\.\w+\.value\}", secret_output["value"])


def test_credentials_secret_is_named_as_in_the_manual_setup_in_the_eso_namespace(tmp_path):
    stack = synth_app([make_env({"eso.namespace": "eso"})], tmp_path)["eso-test"]
    metadata = only(stack, "kubernetes_secret_v1")["metadata"]
    namespace_id = next(iter(resources(stack, "kubernetes_namespace_v1")))
    namespace = f"${{kubernetes_namespace_v1.{namespace_id}.metadata[0].name}}"
    assert metadata == {"name": "azure-secret-creds", "namespace": namespace}


def test_workload_identity_mode_has_no_credentials_secret(tmp_path):
    stack = synth_app([make_env(WORKLOAD_IDENTITY)], tmp_path)["eso-test"]
    assert "kubernetes_secret_v1" not in stack["resource"]


def test_workload_identity_annotations_read_the_azure_stack(tmp_path):
    synthesized = synth_app([make_env(WORKLOAD_IDENTITY)], tmp_path)
    annotations = release_values(synthesized["eso-test"])["serviceAccount"]["annotations"]
    client_id = azure_output_behind(annotations["azure.workload.identity/client-id"], synthesized)
    tenant_id = azure_output_behind(annotations["azure.workload.identity/tenant-id"], synthesized)
    assert client_id["value"].startswith("${azurerm_user_assigned_identity.")
    assert tenant_id["value"] == "${data.azurerm_client_config.current.tenant_id}"


def test_release_values_validate_in_both_auth_modes(tmp_path):
    service_principal = synth_app([make_env()], tmp_path / "sp")["eso-test"]
    workload_identity = synth_app([make_env(WORKLOAD_IDENTITY)], tmp_path / "wi")["eso-test"]
    assert chart_values_problems(release_values(service_principal)) == []
    assert chart_values_problems(release_values(workload_identity)) == []
