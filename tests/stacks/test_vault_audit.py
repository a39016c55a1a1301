"""The vault's audit log in stack azure-<env>: what key_vault.audit_logs makes, and where it sends the log."""

from __future__ import annotations

import cdktf

from stacks.azure_stack import AzureStack
from support import make_env, only, resources, synth_json

WORKSPACE = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-logs/providers/"
             "Microsoft.OperationalInsights/workspaces/log-central")
OPEN = {"key_vault.network_acls": {"default_action": "Allow"}}


def azure_json(changes=None) -> dict:
    return synth_json(AzureStack(cdktf.Testing.app(), "azure-test", env=make_env(changes)))


def test_denying_firewall_sends_audit_events_and_metrics_to_a_new_workspace():
    stack = azure_json()
    setting = only(stack, "azurerm_monitor_diagnostic_setting")
    assert setting["target_resource_id"] == "${azurerm_key_vault.key_vault.id}"
    assert setting["enabled_log"] == [{"category": "AuditEvent"}]
    assert setting["enabled_metric"] == [{"category": "AllMetrics"}]
    assert setting["log_analytics_destination_type"] == "AzureDiagnostics"
    assert setting["log_analytics_workspace_id"] == "${azurerm_log_analytics_workspace.audit_logs_workspace.id}"


def test_created_workspace_is_named_after_the_vault_and_keeps_the_log_90_days():
    workspace = only(azure_json(), "azurerm_log_analytics_workspace")
    assert (workspace["name"], workspace["sku"], workspace["retention_in_days"]) == ("log-kv-test", "PerGB2018", 90)
    assert workspace["local_authentication_enabled"] is False
    assert workspace["resource_group_name"] == "${azurerm_resource_group.resource_group.name}"


def test_created_workspace_takes_the_retention_from_the_file():
    workspace = only(azure_json({"key_vault.audit_logs": {"workspace_retention_days": 365}}),
                     "azurerm_log_analytics_workspace")
    assert workspace["retention_in_days"] == 365


def test_existing_workspace_receives_the_log_and_none_is_created():
    stack = azure_json({"key_vault.audit_logs": {"workspace_id": WORKSPACE}})
    assert only(stack, "azurerm_monitor_diagnostic_setting")["log_analytics_workspace_id"] == WORKSPACE
    assert not resources(stack, "azurerm_log_analytics_workspace")
    assert stack["output"]["audit_log_workspace_id"]["value"] == WORKSPACE


def test_open_firewall_has_no_audit_log_by_default():
    stack = azure_json(OPEN)
    assert not resources(stack, "azurerm_monitor_diagnostic_setting")
    assert not resources(stack, "azurerm_log_analytics_workspace")
    assert "audit_log_workspace_id" not in stack["output"]


def test_open_firewall_sends_the_audit_log_when_enabled():
    stack = azure_json({**OPEN, "key_vault.audit_logs": {"enabled": True}})
    assert only(stack, "azurerm_monitor_diagnostic_setting")["enabled_log"] == [{"category": "AuditEvent"}]


def test_audit_log_turned_off_with_a_reason_makes_nothing():
    stack = azure_json({"key_vault.audit_logs": {"enabled": False, "disabled_reason": "logs go to the SIEM via Event Hubs"}})
    assert not resources(stack, "azurerm_monitor_diagnostic_setting")
    assert not resources(stack, "azurerm_log_analytics_workspace")


def test_audit_log_addresses_are_stable():
    stack = azure_json()
    assert set(resources(stack, "azurerm_log_analytics_workspace")) == {"audit_logs_workspace"}
    assert set(resources(stack, "azurerm_monitor_diagnostic_setting")) == {"audit_logs_diagnostic_setting"}
