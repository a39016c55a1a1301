"""Expiry warnings in stack azure-<env>: what key_vault.expiry_notifications makes, and that no webhook URL is in
the synthesized JSON."""

from __future__ import annotations

import json

import cdktf

from expiry_notifications import EVENT_TYPES
from stacks.azure_stack import AzureStack
from support import make_env, only, resources, synth_json

EMAIL = {"key_vault.expiry_notifications": {"email_receivers": {"platform-team": "platform-team@example.org"}}}
WEBHOOK = {"key_vault.expiry_notifications": {"webhook_receivers": {"pager": {"variable": "pager_webhook_url"}},
                                              "severity": "Sev1"}}


def azure_json(changes=None) -> dict:
    return synth_json(AzureStack(cdktf.Testing.app(), "azure-test", env=make_env(changes)))


def test_no_expiry_notifications_unless_configured():
    stack = azure_json()
    for resource_type in ("azurerm_eventgrid_system_topic", "azurerm_monitor_action_group",
                          "azurerm_resource_group_template_deployment"):
        assert not resources(stack, resource_type)


def test_system_topic_listens_to_the_vault():
    topic = only(azure_json(EMAIL), "azurerm_eventgrid_system_topic")
    assert topic["topic_type"] == "Microsoft.KeyVault.vaults"
    assert topic["source_resource_id"] == "${azurerm_key_vault.key_vault.id}"
    assert topic["name"] == "evgt-kv-test"


def test_action_group_emails_the_configured_receivers():
    group = only(azure_json(EMAIL), "azurerm_monitor_action_group")
    assert group["email_receiver"] == [
        {"name": "platform-team", "email_address": "platform-team@example.org", "use_common_alert_schema": True}]
    assert "webhook_receiver" not in group
    assert len(group["short_name"]) <= 12


def test_webhook_url_comes_from_a_sensitive_variable_of_the_name_the_file_gives():
    stack = azure_json(WEBHOOK)
    group = only(stack, "azurerm_monitor_action_group")
    assert group["webhook_receiver"][0]["service_uri"] == "${var.pager_webhook_url}"
    variable = stack["variable"]["pager_webhook_url"]
    assert variable["sensitive"] is True and variable["nullable"] is False
    assert "https://" not in json.dumps(group)


def test_event_subscription_sends_near_expiry_and_expired_to_the_action_group_as_alerts():
    deployment = only(azure_json(WEBHOOK), "azurerm_resource_group_template_deployment")
    template = json.loads(deployment["template_content"])
    (subscription,) = template["resources"]
    assert subscription["type"] == "Microsoft.EventGrid/systemTopics/eventSubscriptions"
    assert subscription["properties"]["filter"]["includedEventTypes"] == list(EVENT_TYPES) == [
        "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"]
    assert subscription["properties"]["eventDeliverySchema"] == "CloudEventSchemaV1_0"
    assert subscription["properties"]["destination"]["endpointType"] == "MonitorAlert"
    assert deployment["deployment_mode"] == "Incremental"
    parameters = deployment["parameters_content"]
    assert "azurerm_monitor_action_group.expiry_notifications_action_group.id" in parameters
    assert "azurerm_eventgrid_system_topic.expiry_notifications_system_topic.name" in parameters
    assert '"severity" = {"value" = "Sev1"}' in parameters


def test_expiry_notification_addresses_are_stable():
    stack = azure_json(EMAIL)
    assert set(resources(stack, "azurerm_eventgrid_system_topic")) == {"expiry_notifications_system_topic"}
    assert set(resources(stack, "azurerm_monitor_action_group")) == {"expiry_notifications_action_group"}
    assert set(resources(stack, "azurerm_resource_group_template_deployment")) == {"expiry_notifications_subscription"}
