"""The ESO store manifests as plain dicts: their shape, and their validity against ESO's v1 CRD schemas."""

from __future__ import annotations

from eso_checks import manifest_problems
from eso_manifests import (
    ServicePrincipalCredentials,
    WorkloadIdentityServiceAccount,
    cluster_secret_store,
    environment_cluster_secret_store,
    secret_store,
)
from support import make_env

VAULT_URL = "https://kv-test.vault.azure.net/"
TENANT_ID = "00000000-0000-0000-0000-000000000001"
WORKLOAD_IDENTITY = {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"}


def test_service_principal_store_reads_credentials_from_the_eso_namespace():
    store = cluster_secret_store(
        name="store", vault_url=VAULT_URL, tenant_id=TENANT_ID, auth=ServicePrincipalCredentials(namespace="eso")
    )
    assert store["spec"]["provider"]["azurekv"] == {
        "vaultUrl": VAULT_URL,
        "tenantId": TENANT_ID,
        "authType": "ServicePrincipal",
        "authSecretRef": {
            "clientId": {"name": "azure-secret-creds", "key": "client-id", "namespace": "eso"},
            "clientSecret": {"name": "azure-secret-creds", "key": "client-secret", "namespace": "eso"},
        },
    }


def test_workload_identity_store_names_the_service_account_with_its_namespace():
    auth = WorkloadIdentityServiceAccount(name="external-secrets", namespace="eso")
    store = cluster_secret_store(name="store", vault_url=VAULT_URL, tenant_id=TENANT_ID, auth=auth)
    assert store["spec"]["provider"]["azurekv"] == {
        "vaultUrl": VAULT_URL,
        "tenantId": TENANT_ID,
        "authType": "WorkloadIdentity",
        "serviceAccountRef": {"name": "external-secrets", "namespace": "eso"},
    }


def test_store_without_namespaces_has_no_conditions():
    store = cluster_secret_store(
        name="store", vault_url=VAULT_URL, tenant_id=TENANT_ID, auth=ServicePrincipalCredentials(namespace="eso")
    )
    assert "conditions" not in store["spec"]


def test_store_conditions_list_each_namespace_once_in_order():
    store = cluster_secret_store(
        name="store",
        vault_url=VAULT_URL,
        tenant_id=TENANT_ID,
        auth=ServicePrincipalCredentials(namespace="eso"),
        namespaces=["shop", "billing", "shop"],
    )
    assert store["spec"]["conditions"] == [{"namespaces": ["billing", "shop"]}]


def test_store_restricted_to_no_namespace_serves_none():
    store = cluster_secret_store(
        name="store",
        vault_url=VAULT_URL,
        tenant_id=TENANT_ID,
        auth=ServicePrincipalCredentials(namespace="eso"),
        namespaces=[],
    )
    assert store["spec"]["conditions"] == [{"namespaces": []}]


def test_environment_store_is_named_after_the_environment_and_limited_to_its_apps():
    env = make_env({"apps": {"shop": {"namespace": "shop-ns"}, "billing": {}}})
    store = environment_cluster_secret_store(env, vault_url=VAULT_URL, tenant_id=TENANT_ID)
    assert store["metadata"] == {"name": "azure-kv-store-test"}
    assert store["spec"]["conditions"] == [{"namespaces": ["billing", "shop-ns"]}]


def test_environment_store_serves_every_namespace_when_not_restricted():
    env = make_env({"eso.restrict_to_app_namespaces": False})
    store = environment_cluster_secret_store(env, vault_url=VAULT_URL, tenant_id=TENANT_ID)
    assert "conditions" not in store["spec"]


def test_environment_store_uses_the_configured_eso_namespace_and_service_account():
    env = make_env({**WORKLOAD_IDENTITY, "eso.namespace": "eso", "eso.service_account": "eso-controller"})
    store = environment_cluster_secret_store(env, vault_url=VAULT_URL, tenant_id=TENANT_ID)
    assert store["spec"]["provider"]["azurekv"]["serviceAccountRef"] == {"name": "eso-controller", "namespace": "eso"}


def test_secret_store_is_namespaced_with_the_same_provider_block():
    auth = WorkloadIdentityServiceAccount(name="shop", namespace="shop")
    store = secret_store(name="shop-store", namespace="shop", vault_url=VAULT_URL, tenant_id=TENANT_ID, auth=auth)
    cluster_store = cluster_secret_store(name="x", vault_url=VAULT_URL, tenant_id=TENANT_ID, auth=auth)
    assert store["kind"] == "SecretStore"
    assert store["metadata"] == {"name": "shop-store", "namespace": "shop"}
    assert store["spec"]["provider"] == cluster_store["spec"]["provider"]


def test_every_store_variant_validates_against_the_v1_crd_schemas():
    variants = [
        environment_cluster_secret_store(make_env(), vault_url=VAULT_URL, tenant_id=TENANT_ID),
        environment_cluster_secret_store(make_env(WORKLOAD_IDENTITY), vault_url=VAULT_URL, tenant_id=TENANT_ID),
        environment_cluster_secret_store(
            make_env({"eso.restrict_to_app_namespaces": False}), vault_url=VAULT_URL, tenant_id=TENANT_ID
        ),
        secret_store(
            name="shop", namespace="shop", vault_url=VAULT_URL, tenant_id=TENANT_ID,
            auth=ServicePrincipalCredentials(namespace="shop"),
        ),
        secret_store(
            name="shop", namespace="shop", vault_url=VAULT_URL, tenant_id=TENANT_ID,
            auth=WorkloadIdentityServiceAccount(name="shop", namespace="shop"),
        ),
    ]  # fmt: skip
    assert [manifest_problems(manifest) for manifest in variants] == [[]] * len(variants)
