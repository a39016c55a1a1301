"""hcp-<env>: HCP Terraform's workspaces, state sharing, run triggers and Azure credentials, derived from the stacks.

Every check synthesizes whole environments (main.build_app), so that the workspaces are compared with what the
other stacks' `cloud` backends and `terraform_remote_state` data sources really say.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re

import pytest

from support import ROOT, make_env, resources, synth_app

spec = importlib.util.spec_from_file_location("list_stacks", ROOT / "scripts" / "list_stacks.py")
list_stacks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(list_stacks)

CLOUD = {"type": "cloud", "organization": "acme-co", "workspace_prefix": "tf_x", "project": "platform secrets"}
# Service-principal mode, Terraform delivery: every kind of stack, and the vault firewall open.
OPEN_VAULT = {"key_vault.network_acls": {"default_action": "Allow"}}
SENSITIVE_APP = {
    "apps": {
        "shop": {"sensitive_secrets": {"api-key": {"variable": "shop_api_key"}}},
        "billing": {"isolation": "isolated", "random_secrets": {"token": {}}},
    },
}
REFERENCE = re.compile(r"^\$\{tfe_workspace\.([^.]+)\.id\}$")


# An app with a vault secret, so that the secrets stack reads the azure stack's state.
WITH_SECRET = {"apps.myapp.random_secrets": {"db-password": {}}}


_SYNTHESIZED: dict[str, tuple] = {}


def synth(tmp_path, changes=None, *, name="stage2", backend=None):
    """The environment from MINIMAL with a cloud backend and ``changes``, and its synthesized stacks. Tests only read
    the result, so each configuration is synthesized once per session."""
    changes = changes or {}
    key = json.dumps([changes, name, backend], sort_keys=True)
    if key not in _SYNTHESIZED:
        data = {"backend": copy.deepcopy(backend or CLOUD), **({} if "apps" in changes else WITH_SECRET), **copy.deepcopy(changes)}
        env = make_env(data, name=name)
        (tmp_path / "out").mkdir(parents=True)
        _SYNTHESIZED[key] = (env, synth_app([env], tmp_path / "out"))
    return _SYNTHESIZED[key]


def workspace_names(hcp: dict) -> dict[str, str]:
    """Construct ID of each tfe_workspace -> its name."""
    return {key: workspace["name"] for key, workspace in resources(hcp, "tfe_workspace").items()}


def named(hcp: dict, reference: str) -> str:
    """The workspace name a ``${tfe_workspace.<id>.id}`` reference points to."""
    return workspace_names(hcp)[REFERENCE.match(reference).group(1)]


def settings_by_workspace(hcp: dict) -> dict[str, dict]:
    return {
        named(hcp, settings["workspace_id"]): settings
        for settings in resources(hcp, "tfe_workspace_settings").values()
        if REFERENCE.match(settings["workspace_id"])
    }


def other_stacks(synthesized: dict) -> dict[str, dict]:
    return {name: stack for name, stack in synthesized.items() if name != "manifest.json" and not name.startswith("hcp-")}


@pytest.mark.parametrize(
    "backend",
    [None, {"type": "azurerm", "resource_group_name": "tfstate-rg", "storage_account_name": "tfstate01"}],
    ids=["local", "azurerm"],
)
def test_only_an_environment_with_a_cloud_backend_gets_an_hcp_stack(tmp_path, backend):
    env = make_env({"backend": backend} if backend else None)
    assert not [name for name in synth_app([env], tmp_path) if name.startswith("hcp-")]


def test_every_other_stack_has_a_workspace_named_as_its_cloud_backend_names_it(tmp_path):
    _, synthesized = synth(tmp_path)
    expected = {name: stack["terraform"]["cloud"]["workspaces"]["name"] for name, stack in other_stacks(synthesized).items()}
    assert workspace_names(synthesized["hcp-stage2"]) == expected
    assert expected["apps-stage2"] == "tf_x-apps-stage2"


def test_workspaces_are_in_the_project_the_backend_names(tmp_path):
    _, synthesized = synth(tmp_path)
    hcp = synthesized["hcp-stage2"]
    assert only_resource(hcp, "tfe_project") == {"name": "platform secrets", "organization": "acme-co"}
    assert {workspace["project_id"] for workspace in resources(hcp, "tfe_workspace").values()} == {
        "${tfe_project.project.id}"
    }


def test_without_a_project_workspaces_go_to_the_default_project(tmp_path):
    _, synthesized = synth(tmp_path, OPEN_VAULT, backend={"type": "cloud", "organization": "acme-co"})
    hcp = synthesized["hcp-stage2"]
    assert "tfe_project" not in hcp["resource"]
    assert all("project_id" not in workspace for workspace in resources(hcp, "tfe_workspace").values())
    subjects = {credential["subject"] for credential in resources(hcp, "azuread_application_federated_identity_credential").values()}
    assert "organization:acme-co:project:Default Project:workspace:platform-azure-stage2:run_phase:plan" in subjects


def test_every_stack_waits_for_the_hcp_stack(tmp_path):
    _, synthesized = synth(tmp_path)
    manifest = synthesized["manifest.json"]["stacks"]
    assert list_stacks.deployment_order(manifest)[0] == "hcp-stage2"
    assert all("hcp-stage2" in manifest[name]["dependencies"] for name in other_stacks(synthesized))


def test_the_hcp_stack_keeps_its_own_state_in_a_local_workspace_of_the_default_project(tmp_path):
    _, synthesized = synth(tmp_path)
    hcp = synthesized["hcp-stage2"]
    assert hcp["terraform"]["cloud"] == {
        "hostname": "app.terraform.io",
        "organization": "acme-co",
        "workspaces": {"name": "tf_x-hcp-stage2"},
    }
    assert resources(hcp, "tfe_workspace_settings")["own_workspace_settings"]["execution_mode"] == "local"
    assert hcp["data"]["tfe_workspace"]["own_workspace"]["name"] == "tf_x-hcp-stage2"


@pytest.mark.parametrize("changes", [{}, SENSITIVE_APP], ids=["shared app", "shared and isolated apps"])
def test_state_is_shared_from_each_producer_with_exactly_the_workspaces_that_read_it(tmp_path, changes):
    _, synthesized = synth(tmp_path, changes)
    expected: dict[str, set[str]] = {stack["terraform"]["cloud"]["workspaces"]["name"]: set() for stack in other_stacks(synthesized).values()}
    for stack in other_stacks(synthesized).values():
        for remote_state in stack.get("data", {}).get("terraform_remote_state", {}).values():
            expected[remote_state["config"]["workspaces"]["name"]].add(stack["terraform"]["cloud"]["workspaces"]["name"])
    hcp = synthesized["hcp-stage2"]
    shared = {
        workspace: {named(hcp, consumer) for consumer in settings["remote_state_consumer_ids"]}
        for workspace, settings in settings_by_workspace(hcp).items()
    }
    assert shared == expected
    assert expected["tf_x-azure-stage2"]  # the azure stack is read by others
    assert all(settings["global_remote_state"] is False for settings in resources(hcp, "tfe_workspace_settings").values())


def test_run_triggers_follow_the_order_make_list_prints(tmp_path):
    _, synthesized = synth(tmp_path, {**OPEN_VAULT, "backend.agent_pool": "aks-agents"})
    manifest = synthesized["manifest.json"]["stacks"]
    order = list_stacks.deployment_order(manifest)
    hcp = synthesized["hcp-stage2"]
    by_workspace = {stack["terraform"]["cloud"]["workspaces"]["name"]: name for name, stack in other_stacks(synthesized).items()}
    triggers = {
        (by_workspace[named(hcp, trigger["sourceable_id"])], by_workspace[named(hcp, trigger["workspace_id"])])
        for trigger in resources(hcp, "tfe_run_trigger").values()
    }
    assert all(order.index(source) < order.index(target) for source, target in triggers)
    assert all(source in manifest[target]["dependencies"] for source, target in triggers)
    # Every workspace runs in HCP Terraform here: each waits for its direct dependencies only.
    assert triggers == {
        ("azure-stage2", "eso-stage2"),
        ("eso-stage2", "eso-config-stage2"),
        ("azure-stage2", "secrets-stage2"),
        ("eso-config-stage2", "apps-stage2"),
        ("secrets-stage2", "apps-stage2"),
    }


def test_workspaces_with_local_execution_have_no_run_triggers(tmp_path):
    _, synthesized = synth(tmp_path, OPEN_VAULT)
    hcp = synthesized["hcp-stage2"]
    triggers = {(named(hcp, t["sourceable_id"]), named(hcp, t["workspace_id"])) for t in resources(hcp, "tfe_run_trigger").values()}
    # eso, eso-config and apps reach the cluster and run locally; azure and secrets (open vault) run remotely.
    assert triggers == {("tf_x-azure-stage2", "tf_x-secrets-stage2")}


def test_the_azure_stack_runs_remotely_and_cluster_stacks_locally_without_an_agent_pool(tmp_path):
    _, synthesized = synth(tmp_path, OPEN_VAULT)
    modes = {name: settings["execution_mode"] for name, settings in settings_by_workspace(synthesized["hcp-stage2"]).items()}
    assert modes == {
        "tf_x-azure-stage2": "remote",
        "tf_x-secrets-stage2": "remote",
        "tf_x-eso-stage2": "local",
        "tf_x-eso-config-stage2": "local",
        "tf_x-apps-stage2": "local",
    }


def test_the_secrets_stack_runs_locally_when_the_vault_firewall_denies_by_default(tmp_path):
    _, synthesized = synth(tmp_path, {"key_vault.network_acls": {"default_action": "Deny", "ip_rules": ["203.0.113.0/24"]}})
    modes = {name: settings["execution_mode"] for name, settings in settings_by_workspace(synthesized["hcp-stage2"]).items()}
    assert modes["tf_x-secrets-stage2"] == "local"
    assert modes["tf_x-azure-stage2"] == "remote"


def test_the_secrets_stack_runs_locally_when_public_network_access_is_disabled(tmp_path):
    changes = {"key_vault.public_network_access_enabled": False, **OPEN_VAULT}
    _, synthesized = synth(tmp_path, changes)
    modes = {name: settings["execution_mode"] for name, settings in settings_by_workspace(synthesized["hcp-stage2"]).items()}
    assert modes["tf_x-secrets-stage2"] == "local"


def test_private_workspaces_run_on_the_named_agent_pool(tmp_path):
    _, synthesized = synth(tmp_path, {"backend.agent_pool": "aks-agents"})
    hcp = synthesized["hcp-stage2"]
    assert hcp["data"]["tfe_agent_pool"]["agent_pool"]["name"] == "aks-agents"
    settings = settings_by_workspace(hcp)
    assert settings["tf_x-azure-stage2"]["execution_mode"] == "remote"
    assert "agent_pool_id" not in settings["tf_x-azure-stage2"]
    for workspace in ("tf_x-secrets-stage2", "tf_x-eso-stage2", "tf_x-eso-config-stage2", "tf_x-apps-stage2"):
        assert settings[workspace]["execution_mode"] == "agent"
        assert settings[workspace]["agent_pool_id"] == "${data.tfe_agent_pool.agent_pool.id}"


def test_each_workspace_that_signs_in_to_azure_in_hcp_has_a_federated_credential_per_run_phase(tmp_path):
    _, synthesized = synth(tmp_path, {"backend.agent_pool": "aks-agents"})
    hcp = synthesized["hcp-stage2"]
    credentials = resources(hcp, "azuread_application_federated_identity_credential").values()
    assert {credential["subject"] for credential in credentials} == {
        f"organization:acme-co:project:platform secrets:workspace:tf_x-{stack}-stage2:run_phase:{phase}"
        for stack in ("azure", "secrets")
        for phase in ("plan", "apply")
    }
    assert {credential["issuer"] for credential in credentials} == {"https://app.terraform.io"}
    assert {tuple(credential["audiences"]) for credential in credentials} == {("api://AzureADTokenExchange",)}


def test_workspaces_with_local_execution_get_no_azure_credentials(tmp_path):
    _, synthesized = synth(tmp_path)  # the vault denies by default: secrets runs locally
    hcp = synthesized["hcp-stage2"]
    subjects = {c["subject"] for c in resources(hcp, "azuread_application_federated_identity_credential").values()}
    assert {subject.split(":workspace:")[1].split(":")[0] for subject in subjects} == {"tf_x-azure-stage2"}


def test_azure_workspaces_sign_in_with_dynamic_provider_credentials(tmp_path):
    _, synthesized = synth(tmp_path, OPEN_VAULT)
    hcp = synthesized["hcp-stage2"]
    variables: dict[str, dict[str, str]] = {}
    for variable in resources(hcp, "tfe_variable").values():
        if variable["category"] == "env":
            variables.setdefault(named(hcp, variable["workspace_id"]), {})[variable["key"]] = variable["value"]
    (application,) = resources(hcp, "azuread_application")
    expected = {
        "TFC_AZURE_PROVIDER_AUTH": "true",
        "TFC_AZURE_RUN_CLIENT_ID": f"${{azuread_application.{application}.client_id}}",
        "ARM_TENANT_ID": "${data.azurerm_client_config.current.tenant_id}",
        "ARM_SUBSCRIPTION_ID": "${data.azurerm_subscription.subscription.subscription_id}",
    }
    assert variables == {"tf_x-azure-stage2": expected, "tf_x-secrets-stage2": expected}
    assert not any("ARM_CLIENT_SECRET" in str(variable) for variable in resources(hcp, "tfe_variable").values())


def test_the_run_identity_may_assign_only_the_key_vault_roles(tmp_path):
    _, synthesized = synth(tmp_path)
    assignments = resources(synthesized["hcp-stage2"], "azurerm_role_assignment").values()
    roles = {assignment["role_definition_name"]: assignment for assignment in assignments}
    assert set(roles) == {"Contributor", "Role Based Access Control Administrator"}
    condition = roles["Role Based Access Control Administrator"]["condition"]
    assert condition.count("4633458b-17de-408a-b874-0445c86b69e6, b86a8fe4-f1b4-4c4f-8ad0-64bf5ba0ef0e") == 2
    assert {assignment["scope"] for assignment in assignments} == {"${data.azurerm_subscription.subscription.id}"}


def test_graph_permission_is_granted_only_when_the_azure_stack_creates_applications(tmp_path):
    _, service_principal = synth(tmp_path / "sp")
    assert "azuread_app_role_assignment" in service_principal["hcp-stage2"]["resource"]
    workload_identity = {
        "eso.auth": "workload_identity",
        "eso.workload_identity": {"identity_name": "id-eso"},
        "cluster.oidc_issuer_url": "https://oidc.example.com/issuer/",
    }
    _, managed_identity = synth(tmp_path / "wi", workload_identity)
    assert "azuread_app_role_assignment" not in managed_identity["hcp-stage2"]["resource"]


def test_sensitive_app_variables_are_declared_on_the_secrets_workspace_without_a_value(tmp_path):
    _, synthesized = synth(tmp_path, {**SENSITIVE_APP, **OPEN_VAULT})
    hcp = synthesized["hcp-stage2"]
    declared = [variable for variable in resources(hcp, "tfe_variable").values() if variable["category"] == "terraform"]
    assert len(declared) == 1
    (variable,) = declared
    assert named(hcp, variable["workspace_id"]) == "tf_x-secrets-stage2"
    assert variable["key"] == "shop_api_key"
    assert variable["sensitive"] is True
    assert "value" not in variable
    assert variable["lifecycle"] == {"ignore_changes": ["value"]}
    assert "shop_api_key" in synthesized["secrets-stage2"]["variable"]


def test_sensitive_variables_are_not_declared_on_a_workspace_that_runs_locally(tmp_path):
    _, synthesized = synth(tmp_path, SENSITIVE_APP)  # the vault denies by default: secrets runs locally
    declared = [v for v in resources(synthesized["hcp-stage2"], "tfe_variable").values() if v["category"] == "terraform"]
    assert declared == []


def test_workspaces_pin_the_terraform_version_this_project_is_tested_with(tmp_path):
    from stacks.hcp_stack import TERRAFORM_VERSION

    _, synthesized = synth(tmp_path)
    versions = {workspace["terraform_version"] for workspace in resources(synthesized["hcp-stage2"], "tfe_workspace").values()}
    assert versions == {TERRAFORM_VERSION}


def test_a_terraform_enterprise_host_is_the_token_issuer(tmp_path):
    backend = {**CLOUD, "hostname": "tfe.example.com"}
    _, synthesized = synth(tmp_path, backend=backend)
    hcp = synthesized["hcp-stage2"]
    assert hcp["provider"]["tfe"] == [{"hostname": "tfe.example.com", "organization": "acme-co"}]
    issuers = {c["issuer"] for c in resources(hcp, "azuread_application_federated_identity_credential").values()}
    assert issuers == {"https://tfe.example.com"}


def only_resource(synthesized: dict, resource_type: str) -> dict:
    (found,) = resources(synthesized, resource_type).values()
    return {key: value for key, value in found.items() if key != "//"}


def test_a_workspace_that_still_holds_resources_is_never_deleted(tmp_path):
    _, synthesized = synth(tmp_path)
    assert {w["force_delete"] for w in resources(synthesized["hcp-stage2"], "tfe_workspace").values()} == {False}


# -- against the providers' schemas: azurerm and azuread real (../shared), tfe rebuilt from the binding's assembly ---


def test_the_tfe_schema_rebuilt_from_the_binding_has_the_providers_argument_names():
    from provider_schema import schema_from_jsii

    schema = schema_from_jsii("cdktf_cdktf_provider_tfe")
    workspace = schema["resource_schemas"]["tfe_workspace"]["block"]
    assert workspace["attributes"]["name"] == {"type": "string", "required": True}
    assert workspace["attributes"]["remote_state_consumer_ids"] == {"type": ["list", "string"], "optional": True}
    assert "vcs_repo" in workspace["block_types"]
    assert schema["resource_schemas"]["tfe_variable"]["block"]["attributes"]["value"] == {"type": "string", "optional": True}
    assert "tfe_agent_pool" in schema["data_source_schemas"]


@pytest.mark.parametrize(
    "changes",
    [{}, {**OPEN_VAULT, **SENSITIVE_APP, "backend.agent_pool": "aks-agents"}],
    ids=["closed vault, local execution", "open vault, agent pool, sensitive variable"],
)
def test_every_resource_of_the_hcp_stack_matches_its_providers_schema(tmp_path, changes):
    from provider_schema import problems, real_schema, schema_from_jsii

    schemas = {"tfe": schema_from_jsii("cdktf_cdktf_provider_tfe"), "azurerm": real_schema("azurerm"), "azuread": real_schema("azuread")}
    _, synthesized = synth(tmp_path, changes)
    hcp = synthesized["hcp-stage2"]
    found = []
    for section, kind in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
        for resource_type, blocks in hcp.get(section, {}).items():
            schema = schemas[resource_type.split("_")[0]][kind][resource_type]["block"]
            for name, config in blocks.items():
                found += problems(schema, config, f"{section}.{resource_type}.{name}")
    assert found == []


def test_the_schema_check_reports_unknown_missing_and_mistyped_arguments():
    from provider_schema import problems, schema_from_jsii

    workspace = schema_from_jsii("cdktf_cdktf_provider_tfe")["resource_schemas"]["tfe_workspace_settings"]["block"]
    assert problems(workspace, {"execution_mode": "remote", "global_remote_state": "no", "remote_state": []}, "w") == [
        "w.global_remote_state: 'no' is not a bool",
        "w: unknown argument 'remote_state'",
        "w: required argument 'workspace_id' is missing",
    ]
