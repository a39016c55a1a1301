"""Per-app isolation: a namespace can read only its own app's secrets.

Proven on the synthesized output: every role assignment is traced from its principal (through cross-stack outputs
and remote state) to the identity it names, and from its scope to the vault or to one secret.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from config import ConfigError
from eso_checks import manifest_problems
from eso_manifests import app_secret_store
from support import make_env, require_example, resources, synth_app

APPS = {
    "myapp": {"static_secrets": {"db-host": "postgres"}, "random_secrets": {"db-password": {}, "api-salt": {}}},
    "billing": {"namespace": "payments", "sensitive_secrets": {"stripe-api-key": {"variable": "billing_stripe"}}},
    "legacy": {"isolation": "shared", "static_secrets": {"db-host": "mysql"}},
}
WORKLOAD_IDENTITY = {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"}


def isolated(extra: dict | None = None, apps: dict = APPS):
    return make_env({"eso.app_isolation": "isolated", "apps": apps, **(extra or {})})


def resolve(value: str, stacks: dict[str, dict], stack: str) -> str:
    """Follow a reference through cdktf's cross-stack outputs to the expression in the producing stack."""
    match = re.fullmatch(r"\$\{data\.terraform_remote_state\.cross-stack-reference-input-([\w-]+)\.outputs\.([\w-]+)\}", value)
    if not match:
        return value
    producer, output = match.groups()
    return stacks[producer]["output"][output]["value"]


def grants(stacks: dict[str, dict], env_name: str) -> list[tuple[str, str, str]]:
    """(principal expression, role, scope expression) of every role assignment of the environment's stacks."""
    found = []
    for name, stack in stacks.items():
        if not name.endswith(f"-{env_name}"):
            continue
        for assignment in resources(stack, "azurerm_role_assignment").values():
            found.append((resolve(assignment["principal_id"], stacks, name), assignment["role_definition_name"],
                          resolve(assignment["scope"], stacks, name)))
    return found


def identity_of(principal: str, azure: dict) -> str:
    """The app (from the identity's name) or 'eso'/'deployer' that a principal expression names."""
    if "azurerm_client_config" in principal:
        return "deployer"
    kind, address = re.fullmatch(r"\$\{(\w+)\.([\w-]+)\.(?:principal_id|object_id)\}", principal).groups()
    resource = azure["resource"][kind][address]
    name = resource.get("name") or resource.get("client_id", "")
    if kind == "azuread_service_principal":
        application = resource["client_id"].split(".")[1]
        name = azure["resource"]["azuread_application"][application]["display_name"]
    return name


def readable_secrets(stacks: dict[str, dict], env_name: str = "test") -> dict[str, set[str]]:
    """Identity name -> the vault secret names it can read ('*' for the whole vault)."""
    azure, secrets = stacks[f"azure-{env_name}"], stacks[f"secrets-{env_name}"]
    by_address = {f"azurerm_key_vault_secret.{address}": s["name"] for address, s in resources(secrets, "azurerm_key_vault_secret").items()}
    readable: dict[str, set[str]] = {}
    for principal, role, scope in grants(stacks, env_name):
        if role != "Key Vault Secrets User":
            continue
        who = identity_of(principal, azure)
        if scope.startswith("${azurerm_key_vault.") and scope.endswith(".id}"):
            readable.setdefault(who, set()).add("*")
        else:
            address = re.fullmatch(r"\$\{([\w.-]+)\.resource_versionless_id\}", scope).group(1)
            readable.setdefault(who, set()).add(by_address[address])
    return readable


@pytest.fixture(scope="module", params=["service_principal", "workload_identity"])
def mode(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def synthesized(mode, tmp_path_factory) -> dict[str, dict]:
    extra = WORKLOAD_IDENTITY if mode == "workload_identity" else {}
    return synth_app([isolated(extra)], tmp_path_factory.mktemp(f"isolation-{mode}"))


def test_each_isolated_identity_reads_exactly_its_apps_secrets(synthesized, mode):
    readable = readable_secrets(synthesized)
    prefix = "eso-" if mode == "service_principal" else "id-"
    assert readable[f"{prefix}myapp-test"] == {"myapp-db-host", "myapp-db-password", "myapp-api-salt"}
    assert readable[f"{prefix}billing-test"] == {"billing-stripe-api-key"}


def test_only_the_shared_store_identity_reads_the_whole_vault(synthesized, mode):
    whole_vault = {who for who, names in readable_secrets(synthesized).items() if "*" in names}
    assert whole_vault == {"eso-app" if mode == "service_principal" else "id-eso-test"}


def test_fully_isolated_environment_grants_no_identity_the_vault(mode, tmp_path):
    extra = WORKLOAD_IDENTITY if mode == "workload_identity" else {}
    apps = {name: app for name, app in APPS.items() if name != "legacy"}
    stacks = synth_app([isolated(extra, apps)], tmp_path)
    assert all("*" not in names for names in readable_secrets(stacks).values())
    assert "eso-config-test" not in stacks["manifest.json"]["stacks"]


def test_isolated_app_external_secret_reads_its_own_secret_store(synthesized):
    manifests = {m["manifest"]["kind"] + "/" + m["manifest"]["metadata"]["name"]: m["manifest"]
                 for m in resources(synthesized["apps-test"], "kubernetes_manifest").values()}
    assert manifests["ExternalSecret/myapp"]["spec"]["secretStoreRef"] == {"kind": "SecretStore", "name": "azure-kv-myapp"}
    assert manifests["SecretStore/azure-kv-myapp"]["metadata"]["namespace"] == "myapp"
    assert manifests["ExternalSecret/legacy"]["spec"]["secretStoreRef"]["kind"] == "ClusterSecretStore"


def test_workload_identity_app_signs_in_as_its_own_service_account(tmp_path):
    stacks = synth_app([isolated(WORKLOAD_IDENTITY)], tmp_path)
    accounts = {a["metadata"][0]["name"] if isinstance(a["metadata"], list) else a["metadata"]["name"]: a
                for a in resources(stacks["eso-test"], "kubernetes_service_account_v1").values()}
    account = accounts["external-secrets-billing"]
    metadata = account["metadata"]
    assert metadata["namespace"] == "payments"
    assert set(metadata["annotations"]) == {"azure.workload.identity/client-id", "azure.workload.identity/tenant-id"}
    credentials = {c["subject"] for c in resources(stacks["azure-test"], "azurerm_federated_identity_credential").values()}
    assert "system:serviceaccount:payments:external-secrets-billing" in credentials


def test_service_principal_app_gets_credentials_in_its_own_namespace(tmp_path):
    stacks = synth_app([isolated()], tmp_path)
    secrets = [s["metadata"] for s in resources(stacks["eso-test"], "kubernetes_secret_v1").values()]
    app_namespaces = sorted(m["namespace"] for m in secrets if not m["namespace"].startswith("${"))
    assert app_namespaces == ["myapp", "payments"]
    assert {m["name"] for m in secrets} == {"azure-secret-creds"}


@pytest.mark.parametrize("auth", ["service_principal", "workload_identity"])
def test_secret_stores_validate_against_the_eso_schema(auth):
    env = isolated(WORKLOAD_IDENTITY if auth == "workload_identity" else {})
    for app in env.isolated_apps:
        store = app_secret_store(app, vault_url="https://kv.vault.azure.net/", tenant_id="t", auth_mode=env.eso.auth)
        assert manifest_problems(store) == [], app.name


def test_shared_is_the_default():
    env = make_env({"apps": APPS})
    assert [app.name for app in env.isolated_apps] == []


def test_role_assignments_above_the_budget_are_refused_with_the_figure():
    apps = {f"app{i}": {"static_secrets": {f"k{j}": "v" for j in range(5)}} for i in range(100)}
    with pytest.raises(ConfigError) as error:
        isolated({"azure.role_assignment_budget": 400}, apps)
    assert str(error.value) == (
        "environments/test.yaml: apps: the environment needs 501 role assignments (one per secret of each isolated "
        "app), above azure.role_assignment_budget (400; Azure allows 4,000 per subscription, shared by everything "
        "in it): share a vault among fewer isolated apps, move environments to subscriptions of their own, or "
        "raise the budget"
    )


def test_isolated_app_needs_a_namespace_of_its_own():
    with pytest.raises(ConfigError) as error:
        isolated(apps={"a": {"static_secrets": {"k": "v"}}, "b": {"namespace": "a", "static_secrets": {"k": "v"}}})
    assert str(error.value) == (
        "environments/test.yaml: apps.b.namespace 'a': is also the namespace of app 'a': an isolated app needs a "
        "namespace of its own, or the other app could use its SecretStore"
    )


def test_example_prod_reads_per_app_and_never_the_whole_vault(example_outdir, example_set):
    import json

    require_example(example_set, "prod")
    stacks = {p.parent.name: json.loads(p.read_text()) for p in example_outdir.glob("stacks/*/cdk.tf.json")}
    readable = readable_secrets(stacks, "prod")
    assert readable == {
        "id-myapp-prod": {"myapp-db-username", "myapp-db-host", "myapp-db-name", "myapp-db-password", "myapp-stripe-api-key"}
    }
