"""Stack apps-<env>: one ExternalSecret per app, as kubernetes_manifest (Terraform delivery)."""

from __future__ import annotations

import pytest

from app_manifests import external_secret
from eso_checks import manifest_problems
from support import make_env, resources, synth_app

APPS = {
    "myapp": {
        "static_secrets": {"db-username": "myapp", "db-host": "postgres"},
        "random_secrets": {"db-password": {}},
        "create_namespace": True,
        "external_secret": {
            "data": {"POSTGRES_USER": "db-username", "POSTGRES_PASSWORD": "db-password", "POSTGRES_HOST": "db-host"},
            "template": {"DATABASE_URL": "postgresql://{{ .POSTGRES_USER }}:{{ .POSTGRES_PASSWORD }}@{{ .POSTGRES_HOST }}/db"},
        },
    },
    "billing": {"namespace": "payments", "sensitive_secrets": {"stripe-api-key": {"variable": "billing_stripe"}}},
}


@pytest.fixture(scope="module")
def env():
    return make_env({"apps": APPS})


@pytest.fixture(scope="module")
def synthesized(env, tmp_path_factory) -> dict:
    return synth_app([env], tmp_path_factory.mktemp("apps"))


def manifests(stack: dict) -> dict[str, dict]:
    return {m["manifest"]["metadata"]["name"]: m["manifest"] for m in resources(stack, "kubernetes_manifest").values()}


def test_each_app_gets_an_external_secret_in_its_namespace(synthesized):
    found = manifests(synthesized["apps-test"])
    assert {name: m["metadata"]["namespace"] for name, m in found.items()} == {"myapp": "myapp", "billing": "payments"}


def test_external_secret_maps_kubernetes_keys_to_app_dash_key_vault_secrets(synthesized):
    spec = manifests(synthesized["apps-test"])["myapp"]["spec"]
    assert spec["data"] == [
        {"secretKey": "POSTGRES_USER", "remoteRef": {"key": "myapp-db-username"}},
        {"secretKey": "POSTGRES_PASSWORD", "remoteRef": {"key": "myapp-db-password"}},
        {"secretKey": "POSTGRES_HOST", "remoteRef": {"key": "myapp-db-host"}},
    ]


def test_external_secret_reads_the_environments_cluster_secret_store(synthesized):
    spec = manifests(synthesized["apps-test"])["myapp"]["spec"]
    assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "azure-kv-store-test"}


def test_target_secret_is_owned_retained_and_named_after_the_app(synthesized):
    target = manifests(synthesized["apps-test"])["myapp"]["spec"]["target"]
    assert (target["name"], target["creationPolicy"], target["deletionPolicy"]) == ("myapp", "Owner", "Retain")
    assert manifests(synthesized["apps-test"])["myapp"]["spec"]["refreshInterval"] == "1h"


def test_template_derives_a_key_and_keeps_the_data_keys(synthesized):
    template = manifests(synthesized["apps-test"])["myapp"]["spec"]["target"]["template"]
    assert template["mergePolicy"] == "Merge"
    assert template["engineVersion"] == "v2"
    assert set(template["data"]) == {"DATABASE_URL"}


def test_default_data_uses_environment_variable_names(synthesized):
    spec = manifests(synthesized["apps-test"])["billing"]["spec"]
    assert spec["data"] == [{"secretKey": "STRIPE_API_KEY", "remoteRef": {"key": "billing-stripe-api-key"}}]


def test_apps_stack_comes_after_eso_config(synthesized):
    stacks = synthesized["manifest.json"]["stacks"]
    assert "eso-config-test" in stacks["apps-test"]["dependencies"]


def test_namespace_is_created_in_the_eso_stack_only_when_asked(synthesized):
    namespaces = resources(synthesized["eso-test"], "kubernetes_namespace_v1")
    assert sorted(n["metadata"]["name"] for n in namespaces.values()) == ["external-secrets", "myapp"]
    assert "kubernetes_namespace_v1" not in synthesized["apps-test"]["resource"]


def test_every_external_secret_validates_against_the_eso_schema(env):
    for app in env.apps:
        assert manifest_problems(external_secret(app, store_name="azure-kv-store-test")) == [], app.name


def test_gitops_environment_has_no_apps_or_eso_config_stack(tmp_path):
    env = make_env(
        {
            "apps": APPS,
            "azure.tenant_id": "11111111-1111-1111-1111-111111111111",
            "delivery": {"mode": "gitops", "repo_url": "https://github.com/acme/secrets.git"},
        }
    )
    stacks = synth_app([env], tmp_path)["manifest.json"]["stacks"]
    assert sorted(stacks) == ["azure-test", "eso-test", "secrets-test"]
