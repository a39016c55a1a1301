"""Stack eso-config-<env>: the ClusterSecretStore, deployed after the ESO release."""

from __future__ import annotations

from eso_checks import manifest_problems
from support import make_env, only, synth_app

WORKLOAD_IDENTITY = {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"}
AZURE_STATE = "data.terraform_remote_state.cross-stack-reference-input-azure-test.outputs"


def store(tmp_path, changes=None) -> dict:
    stack = synth_app([make_env(changes)], tmp_path)["eso-config-test"]
    return only(stack, "kubernetes_manifest")["manifest"]


def test_store_reads_vault_uri_and_tenant_from_the_azure_stack(tmp_path):
    azurekv = store(tmp_path)["spec"]["provider"]["azurekv"]
    assert azurekv["vaultUrl"] == f"${{{AZURE_STATE}.cross-stack-output-azurerm_key_vaultkey_vaultvault_uri}}"
    assert azurekv["tenantId"] == f"${{{AZURE_STATE}.cross-stack-output-dataazurerm_client_configcurrenttenant_id}}"


def test_service_principal_store_reads_the_credentials_secret_in_the_eso_namespace(tmp_path):
    azurekv = store(tmp_path, {"eso.namespace": "eso"})["spec"]["provider"]["azurekv"]
    assert azurekv["authType"] == "ServicePrincipal"
    assert azurekv["authSecretRef"] == {
        "clientId": {"name": "azure-secret-creds", "key": "client-id", "namespace": "eso"},
        "clientSecret": {"name": "azure-secret-creds", "key": "client-secret", "namespace": "eso"},
    }


def test_workload_identity_store_uses_eso_service_account(tmp_path):
    azurekv = store(tmp_path, WORKLOAD_IDENTITY)["spec"]["provider"]["azurekv"]
    assert azurekv["authType"] == "WorkloadIdentity"
    assert azurekv["serviceAccountRef"] == {"name": "external-secrets", "namespace": "external-secrets"}
    assert "authSecretRef" not in azurekv


def test_store_is_named_after_the_environment(tmp_path):
    assert store(tmp_path)["metadata"] == {"name": "azure-kv-store-test"}


def test_store_is_limited_to_the_app_namespaces(tmp_path):
    manifest = store(tmp_path, {"apps": {"shop": {}, "billing": {"namespace": "payments"}}})
    assert manifest["spec"]["conditions"] == [{"namespaces": ["payments", "shop"]}]


def test_store_keeps_its_id(tmp_path):
    stack = synth_app([make_env()], tmp_path)["eso-config-test"]
    assert {kind: sorted(found) for kind, found in stack["resource"].items()} == {
        "kubernetes_manifest": ["cluster_secret_store"]
    }


def test_config_stack_needs_no_helm_provider(tmp_path):
    stack = synth_app([make_env()], tmp_path)["eso-config-test"]
    assert sorted(stack["provider"]) == ["kubernetes"]


def test_store_validates_in_both_auth_modes(tmp_path):
    assert manifest_problems(store(tmp_path / "sp")) == []
    assert manifest_problems(store(tmp_path / "wi", WORKLOAD_IDENTITY)) == []


def test_config_stack_is_deployed_after_eso_and_azure(tmp_path):
    manifest = synth_app([make_env()], tmp_path)["manifest.json"]
    assert sorted(manifest["stacks"]["eso-config-test"]["dependencies"]) == ["azure-test", "eso-test"]
    assert manifest["stacks"]["eso-test"]["dependencies"] == ["azure-test"]


def test_gitops_environment_leaves_the_store_to_argo_cd(tmp_path):
    env = make_env(
        {
            "delivery": {"mode": "gitops", "repo_url": "https://github.com/acme/platform-secrets.git"},
            "azure.tenant_id": "00000000-0000-0000-0000-000000000001",
        }
    )
    synthesized = synth_app([env], tmp_path)
    assert sorted(synthesized["manifest.json"]["stacks"]) == ["azure-test", "eso-test", "secrets-test"]


ALERTS_ON = {"eso.service_monitor_enabled": True}


def test_prometheus_rule_comes_with_the_service_monitor_and_passes_its_crd(tmp_path):
    from prometheus_checks import prometheus_rule_problems

    stack = synth_app([make_env(ALERTS_ON)], tmp_path)["eso-config-test"]
    rule = stack["resource"]["kubernetes_manifest"]["prometheus_rule"]["manifest"]
    assert rule["kind"] == "PrometheusRule" and rule["metadata"]["namespace"] == "external-secrets"
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert prometheus_rule_problems(rule) == []


def test_prometheus_rule_is_labelled_for_the_configured_rule_selector(tmp_path):
    env = make_env({**ALERTS_ON, "eso.alerts": {"rule_labels": {"prometheus": "platform"}}})
    rule = synth_app([env], tmp_path)["eso-config-test"]["resource"]["kubernetes_manifest"]["prometheus_rule"]
    assert rule["manifest"]["metadata"]["labels"] == {
        "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/managed-by": "cdktf", "prometheus": "platform",
    }


def test_no_prometheus_rule_without_the_service_monitor(tmp_path):
    stack = synth_app([make_env()], tmp_path)["eso-config-test"]
    assert "prometheus_rule" not in stack["resource"]["kubernetes_manifest"]


def test_no_prometheus_rule_when_alerts_are_turned_off(tmp_path):
    env = make_env({**ALERTS_ON, "eso.alerts": {"enabled": False}})
    stack = synth_app([env], tmp_path)["eso-config-test"]
    assert sorted(stack["resource"]["kubernetes_manifest"]) == ["cluster_secret_store"]


def test_config_stack_holds_only_the_rule_when_every_app_is_isolated(tmp_path):
    env = make_env({**ALERTS_ON, "eso.app_isolation": "isolated"})
    stack = synth_app([env], tmp_path)["eso-config-test"]
    assert sorted(stack["resource"]["kubernetes_manifest"]) == ["prometheus_rule"]
