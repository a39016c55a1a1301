"""The ESO Helm release, its chart values and the service principal's credentials Secret."""

from __future__ import annotations


import pytest
import yaml

import cdk
from eso_checks import chart_values_problems
from eso_operator import (
    AzureCredentialsSecret,
    ExternalSecretsOperator,
    WorkloadIdentityBinding,
    chart_values,
    render_values,
)
from support import make_env, only, synth_json

WORKLOAD_IDENTITY = {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"}
BINDING = WorkloadIdentityBinding(
    client_id="11111111-1111-1111-1111-111111111111", tenant_id="22222222-2222-2222-2222-222222222222"
)
PRODUCTION = {
    "eso.replicas": 3,
    "eso.pod_disruption_budget": {"min_available": 2},
    "eso.resources": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
    "eso.service_monitor_enabled": True,
}


def test_default_values_keep_the_crds_and_name_the_service_account():
    assert chart_values(make_env().eso, workload_identity=None) == {
        "installCRDs": True,
        "crds": {"annotations": {"helm.sh/resource-policy": "keep"}},
        "replicaCount": 1,
        "leaderElect": False,
        "serviceAccount": {"create": True, "name": "external-secrets"},
        "webhook": {"replicaCount": 1},
        "certController": {"replicaCount": 1},
    }


def test_several_replicas_elect_a_leader_and_scale_the_webhook():
    values = chart_values(make_env({"eso.replicas": 2}).eso, workload_identity=None)
    assert (values["replicaCount"], values["leaderElect"], values["webhook"]["replicaCount"]) == (2, True, 2)


def test_several_replicas_scale_the_cert_controller_as_well():
    values = chart_values(make_env({"eso.replicas": 2}).eso, workload_identity=None)
    assert values["certController"]["replicaCount"] == 2


def test_disruption_budget_covers_controller_and_webhook():
    values = chart_values(make_env(PRODUCTION).eso, workload_identity=None)
    assert values["podDisruptionBudget"] == {"enabled": True, "minAvailable": 2}
    assert values["webhook"]["podDisruptionBudget"] == {"enabled": True, "minAvailable": 2}


def test_disruption_budget_covers_the_cert_controller():
    values = chart_values(make_env(PRODUCTION).eso, workload_identity=None)
    assert values["certController"]["podDisruptionBudget"] == {"enabled": True, "minAvailable": 2}


def test_example_environments_run_every_eso_deployment_with_the_same_pods_and_budget():
    """Whatever replicas and budget an environment asks for, no ESO deployment gets fewer."""
    from config import load_environments
    from main import ENVIRONMENTS_DIR, ROOT

    for env in load_environments(ENVIRONMENTS_DIR, root=ROOT):
        values = chart_values(env.eso, workload_identity=None)
        for deployment in (values, values["webhook"], values["certController"]):
            assert deployment["replicaCount"] == env.eso.replicas, env.name
            assert deployment.get("podDisruptionBudget") == values.get("podDisruptionBudget"), env.name


def test_resources_carry_only_what_is_configured():
    values = chart_values(make_env(PRODUCTION).eso, workload_identity=None)
    assert values["resources"] == {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}}


def test_service_monitor_fails_the_release_when_its_crd_is_missing():
    values = chart_values(make_env(PRODUCTION).eso, workload_identity=None)
    assert values["serviceMonitor"] == {"enabled": True, "renderMode": "failIfMissing", "honorLabels": True}


def test_optional_values_are_absent_unless_configured():
    values = chart_values(make_env().eso, workload_identity=None)
    assert not {"resources", "podDisruptionBudget", "serviceMonitor", "podLabels"} & set(values)


def test_workload_identity_annotates_the_service_account_and_labels_the_pods():
    values = chart_values(make_env(WORKLOAD_IDENTITY).eso, workload_identity=BINDING)
    assert values["serviceAccount"] == {
        "create": True,
        "name": "external-secrets",
        "annotations": {
            "azure.workload.identity/client-id": BINDING.client_id,
            "azure.workload.identity/tenant-id": BINDING.tenant_id,
        },
    }
    assert values["podLabels"] == {"azure.workload.identity/use": "true"}


def test_workload_identity_binding_is_refused_with_a_service_principal():
    with pytest.raises(ValueError, match="workload_identity is only for auth 'workload_identity'"):
        chart_values(make_env().eso, workload_identity=BINDING)


def test_without_an_identity_of_its_own_eso_gets_no_workload_identity_values():
    """Every app isolated: ESO signs in only as the apps' service accounts."""
    values = chart_values(make_env(WORKLOAD_IDENTITY).eso, workload_identity=None)
    assert "annotations" not in values["serviceAccount"]
    assert "podLabels" not in values


@pytest.mark.parametrize(
    ("changes", "binding"),
    [({}, None), (PRODUCTION, None), ({**WORKLOAD_IDENTITY, **PRODUCTION}, BINDING)],
    ids=["minimal", "production", "workload identity"],
)
def test_values_validate_against_the_chart_schema_and_defaults(changes, binding):
    assert chart_values_problems(chart_values(make_env(changes).eso, workload_identity=binding)) == []


def test_rendered_values_are_block_yaml_with_one_key_a_line():
    text = render_values({"webhook": {"replicaCount": 2}, "installCRDs": True, "podLabels": {"use": "true"}})
    assert text == "installCRDs: true\npodLabels:\n  use: 'true'\nwebhook:\n  replicaCount: 2\n"


def test_a_reference_in_the_values_stays_a_quoted_string():
    assert render_values({"clientId": "${azurerm_user_assigned_identity.eso_identity.client_id}"}) == (
        'clientId: "${azurerm_user_assigned_identity.eso_identity.client_id}"\n'
    )


def test_rendered_values_do_not_depend_on_insertion_order():
    assert render_values({"b": 1, "a": {"d": 2, "c": 3}}) == render_values({"a": {"c": 3, "d": 2}, "b": 1})


def test_release_installs_the_pinned_chart_into_the_eso_namespace_and_waits(stack):
    ExternalSecretsOperator(stack, "eso", settings=make_env({"eso.namespace": "eso"}).eso, workload_identity=None)
    synthesized = synth_json(stack)
    assert only(synthesized, "kubernetes_namespace_v1")["metadata"] == {"name": "eso"}
    release = only(synthesized, "helm_release")
    assert {key: release[key] for key in ("name", "repository", "chart", "version", "wait")} == {
        "name": "external-secrets",
        "repository": "https://charts.external-secrets.io",
        "chart": "external-secrets",
        "version": "2.9.0",
        "wait": True,
    }
    assert release["namespace"].startswith("${kubernetes_namespace_v1.")


def test_release_values_are_the_rendered_chart_values(stack):
    settings = make_env(PRODUCTION).eso
    ExternalSecretsOperator(stack, "eso", settings=settings, workload_identity=None)
    (values,) = only(synth_json(stack), "helm_release")["values"]
    assert yaml.safe_load(values) == chart_values(settings, workload_identity=None)


def test_configured_chart_version_is_installed(stack):
    settings = make_env({"eso.chart_version": "2.10.1"}).eso
    ExternalSecretsOperator(stack, "eso", settings=settings, workload_identity=None)
    assert only(synth_json(stack), "helm_release")["version"] == "2.10.1"


def test_credentials_secret_has_the_keys_of_the_manual_setup(stack):
    password = cdk.TerraformVariable(stack, "password", type="string", sensitive=True)
    AzureCredentialsSecret(stack, "creds", namespace="eso", client_id="app-id", client_secret=password.string_value)
    secret = only(synth_json(stack), "kubernetes_secret_v1")
    assert secret["metadata"] == {"name": "azure-secret-creds", "namespace": "eso"}
    assert secret["data"] == {"client-id": "app-id", "client-secret": "${sensitive(var.password)}"}


def test_credentials_secret_refuses_a_literal_client_secret(stack):
    with pytest.raises(ValueError, match="client_secret must be a Terraform reference"):
        AzureCredentialsSecret(stack, "creds", namespace="eso", client_id="app-id", client_secret="hunter2")
