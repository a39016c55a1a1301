"""Key Vault's audit log and metrics in Log Analytics (``key_vault.audit_logs``).

One ``azurerm_monitor_diagnostic_setting`` on the vault sends the ``AuditEvent`` log category (every request: who,
which secret, from where, with what result) and the ``AllMetrics`` metrics to a Log Analytics workspace: the one
``workspace_id`` names, or an ``azurerm_log_analytics_workspace`` made here. The destination table is fixed to
``AzureDiagnostics`` (``log_analytics_destination_type``), the table docs/operations.md's query reads.
https://learn.microsoft.com/azure/key-vault/general/howto-logging
https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings
"""

from __future__ import annotations

from cdk import (
    Construct,
    LogAnalyticsWorkspace,
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)

# Key Vault's only log category besides AzurePolicyEvaluationDetails (Azure Policy for Key Vault, not requests).
AUDIT_LOG_CATEGORY = "AuditEvent"
METRIC_CATEGORY = "AllMetrics"
DESTINATION_TABLE = "AzureDiagnostics"
DIAGNOSTIC_SETTING_NAME = "audit-to-log-analytics"


def workspace_name(vault_name: str) -> str:
    """``log-<vault name>``: 7-28 characters, within Log Analytics' 4-63 letters, digits and dashes."""
    return f"log-{vault_name}"


class VaultAuditLogs(Construct):
    """Makes ``diagnostic_setting`` (``azurerm_monitor_diagnostic_setting``) and, without ``workspace_id``,
    ``workspace`` (``azurerm_log_analytics_workspace``, PerGB2018, ``retention_days``, no shared-key sign-in).
    Construct IDs are a contract: the workspace holds the log."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vault_id: str,
        vault_name: str,
        workspace_id: str | None,
        retention_days: int,
        resource_group_name: str,
        location: str,
        tags: dict[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.workspace: LogAnalyticsWorkspace | None = None
        if workspace_id is None:
            self.workspace = LogAnalyticsWorkspace(
                self,
                "workspace",
                name=workspace_name(vault_name),
                location=location,
                resource_group_name=resource_group_name,
                sku="PerGB2018",
                retention_in_days=retention_days,
                # Readers sign in with Entra ID; the workspace's shared keys cannot be used to send or read.
                local_authentication_enabled=False,
                tags=tags,
            )
            workspace_id = self.workspace.id
        self.workspace_id = workspace_id
        self.diagnostic_setting = MonitorDiagnosticSetting(
            self,
            "diagnostic_setting",
            name=DIAGNOSTIC_SETTING_NAME,
            target_resource_id=vault_id,
            log_analytics_workspace_id=workspace_id,
            log_analytics_destination_type=DESTINATION_TABLE,
            enabled_log=[MonitorDiagnosticSettingEnabledLog(category=AUDIT_LOG_CATEGORY)],
            enabled_metric=[MonitorDiagnosticSettingEnabledMetric(category=METRIC_CATEGORY)],
        )
