"""The checks against ESO's reference data catch what they are meant to catch (else passing them means little)."""

from __future__ import annotations

from eso_checks import chart_values_problems, manifest_problems


def test_misspelt_chart_value_is_reported_with_its_path():
    values = {"replicaCount": 2, "serviceAccount": {"nmae": "eso"}, "webhook": {"replicas": 2}}
    assert chart_values_problems(values) == [
        "serviceAccount.nmae: not a value of the chart",
        "webhook.replicas: not a value of the chart",
    ]


def test_keys_below_free_form_chart_values_are_accepted():
    values = {
        "podLabels": {"azure.workload.identity/use": "true"},
        "resources": {"requests": {"cpu": "50m"}},
        "crds": {"annotations": {"helm.sh/resource-policy": "keep"}},
    }
    assert chart_values_problems(values) == []


def test_chart_value_of_the_wrong_type_is_reported():
    assert chart_values_problems({"leaderElect": "yes"}) == ["leaderElect: 'yes' is not of type 'boolean'"]


def test_store_with_a_beta_api_version_is_reported():
    store = {
        "apiVersion": "external-secrets.io/v1beta1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": "store"},
        "spec": {"provider": {"azurekv": {"vaultUrl": "https://kv.vault.azure.net/"}}},
    }
    assert manifest_problems(store) == ["apiVersion 'external-secrets.io/v1beta1': must be 'external-secrets.io/v1'"]


def test_store_breaking_the_crd_schema_is_reported():
    store = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": "store"},
        "spec": {"provider": {"azurekv": {"authType": "Password"}}},
    }
    assert manifest_problems(store) == [
        "spec.provider.azurekv: 'vaultUrl' is a required property",
        "spec.provider.azurekv.authType: 'Password' is not one of ['ServicePrincipal', 'ManagedIdentity', "
        "'WorkloadIdentity']",
    ]
