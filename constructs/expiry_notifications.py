"""Warnings before secrets expire (``key_vault.expiry_notifications``).

Key Vault publishes ``Microsoft.KeyVault.SecretNearExpiry`` 30 days before a secret version's expiration date and
``Microsoft.KeyVault.SecretExpired`` when it passes, through Event Grid
(https://learn.microsoft.com/azure/key-vault/general/event-grid-overview). This makes:

* ``system_topic``: an ``azurerm_eventgrid_system_topic`` on the vault (topic type ``Microsoft.KeyVault.vaults``);
* ``action_group``: an ``azurerm_monitor_action_group`` with the configured email and webhook receivers; a webhook
  URL comes from a sensitive Terraform variable (the name the file gives), never from Git;
* ``subscription``: the event subscription to both event types, delivered to the action group through Event
  Grid's Azure Monitor alert destination (``endpointType: MonitorAlert``, CloudEvents 1.0 schema). azurerm 4.55's
  ``azurerm_eventgrid_system_topic_event_subscription`` has no such endpoint (hashicorp/terraform-provider-azurerm
  issues 24873 and 31681, pull request 30979), so it is an ARM deployment
  (``azurerm_resource_group_template_deployment``) of ``Microsoft.EventGrid/systemTopics/eventSubscriptions``
  API version 2025-02-15; replace it with the azurerm resource once the provider has ``monitor_alert_endpoint``.

Events are raised only for secret versions written after the subscription exists: the azure stack, which makes
it, is deployed before the secrets stack writes secrets.
"""

from __future__ import annotations

import json

from cdk import (
    Construct,
    EventgridSystemTopic,
    Fn,
    MonitorActionGroup,
    MonitorActionGroupEmailReceiver,
    MonitorActionGroupWebhookReceiver,
    ResourceGroupTemplateDeployment,
    TerraformVariable,
    TerraformVariableValidationConfig,
    terraform_literal,
)
from config.operations import ExpiryNotificationSettings

EVENT_TYPES = ("Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired")
EVENT_SUBSCRIPTION_NAME = "secret-expiry"
EVENT_SUBSCRIPTION_API_VERSION = "2025-02-15"
# An action group's short name (in emails and SMS) is at most 12 characters.
ACTION_GROUP_SHORT_NAME = "kv-expiry"


def event_subscription_template() -> str:
    """The ARM template of the event subscription, as deterministic JSON; what varies comes in as parameters."""
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "systemTopicName": {"type": "string"},
            "actionGroupId": {"type": "string"},
            "severity": {"type": "string"},
            "description": {"type": "string"},
        },
        "resources": [
            {
                "type": "Microsoft.EventGrid/systemTopics/eventSubscriptions",
                "apiVersion": EVENT_SUBSCRIPTION_API_VERSION,
                "name": f"[format('{{0}}/{{1}}', parameters('systemTopicName'), '{EVENT_SUBSCRIPTION_NAME}')]",
                "properties": {
                    # The Azure Monitor alert destination takes CloudEvents 1.0 only.
                    "eventDeliverySchema": "CloudEventSchemaV1_0",
                    "filter": {"includedEventTypes": list(EVENT_TYPES)},
                    "destination": {
                        "endpointType": "MonitorAlert",
                        "properties": {
                            "severity": "[parameters('severity')]",
                            "actionGroups": ["[parameters('actionGroupId')]"],
                            "description": "[parameters('description')]",
                        },
                    },
                },
            }
        ],
    }
    return json.dumps(template, indent=2, sort_keys=True)


class ExpiryNotifications(Construct):
    """Construct IDs are a contract: ``system_topic``, ``action_group``, ``subscription``; a webhook's URL is the
    sensitive variable the file names."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: ExpiryNotificationSettings,
        vault_id: str,
        vault_name: str,
        resource_group_name: str,
        location: str,
        tags: dict[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.system_topic = EventgridSystemTopic(
            self,
            "system_topic",
            name=f"evgt-{vault_name}",
            resource_group_name=resource_group_name,
            location=location,
            source_resource_id=vault_id,
            topic_type="Microsoft.KeyVault.vaults",
            tags=tags,
        )
        self.webhook_urls: dict[str, TerraformVariable] = {}
        for receiver, webhook in settings.webhook_receivers.items():
            variable = TerraformVariable(
                self,
                webhook.variable,
                type="string",
                sensitive=True,
                nullable=False,
                description=f"URL of the expiry webhook '{receiver}' (it may carry a key: set TF_VAR_{webhook.variable})",
                validation=[
                    TerraformVariableValidationConfig(
                        condition=f"${{startswith(var.{webhook.variable}, \"https://\")}}",
                        error_message=f"The expiry webhook '{receiver}' needs an https:// URL: set "
                        f"TF_VAR_{webhook.variable}, or the sensitive workspace variable {webhook.variable} in HCP "
                        "Terraform.",
                    )
                ],
            )
            # The variable keeps the name the environment file gives it, so TF_VAR_<name> finds it.
            variable.override_logical_id(webhook.variable)
            self.webhook_urls[receiver] = variable
        self.action_group = MonitorActionGroup(
            self,
            "action_group",
            name=f"ag-{vault_name}-expiry",
            resource_group_name=resource_group_name,
            short_name=ACTION_GROUP_SHORT_NAME,
            email_receiver=None if not settings.email_receivers else [
                MonitorActionGroupEmailReceiver(name=terraform_literal(name), email_address=terraform_literal(address),
                                                use_common_alert_schema=True)
                for name, address in settings.email_receivers.items()
            ],
            webhook_receiver=None if not settings.webhook_receivers else [
                MonitorActionGroupWebhookReceiver(name=terraform_literal(name),
                                                  service_uri=self.webhook_urls[name].string_value,
                                                  use_common_alert_schema=webhook.use_common_alert_schema)
                for name, webhook in settings.webhook_receivers.items()
            ],
            tags=tags,
        )
        self.subscription = ResourceGroupTemplateDeployment(
            self,
            "subscription",
            name=f"evgs-{vault_name}-{EVENT_SUBSCRIPTION_NAME}",
            resource_group_name=resource_group_name,
            deployment_mode="Incremental",
            template_content=event_subscription_template(),
            parameters_content=Fn.jsonencode({
                "systemTopicName": {"value": self.system_topic.name},
                "actionGroupId": {"value": self.action_group.id},
                "severity": {"value": settings.severity.value},
                "description": {"value": f"A secret of Key Vault {vault_name} expires within 30 days, or has expired"},
            }),
            tags=tags,
        )
