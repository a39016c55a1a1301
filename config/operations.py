"""Settings for running the vault in production: audit logs (``key_vault.audit_logs``) and the rules that tie them
to the firewall, and the check that no secret expires before it is written.

Audit logs are Key Vault's diagnostic settings: the ``AuditEvent`` category (who read or wrote which secret, and
when) and the ``AllMetrics`` metrics, sent to a Log Analytics workspace
(https://learn.microsoft.com/azure/key-vault/general/logging). CIS Microsoft Azure Foundations asks for them on
every vault that holds production secrets; this project turns them on by default wherever the firewall denies by
default (``network_acls.default_action: Deny``), which is how an environment file says "production".
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import Field, model_validator

from config.reader import MISSING, Flag, Settings, choice, problem, settings, sorted_map, text, whole

# A workspace's retention, in days: 30 to 730 for the PerGB2018 pricing tier the stack creates (7 is for the
# legacy Free tier only, which new subscriptions cannot choose).
# https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure
WORKSPACE_RETENTION_MIN_DAYS = 30
WORKSPACE_RETENTION_MAX_DAYS = 730
# Three months of "who read this secret" covers a quarterly access review; more costs more (docs/operations.md).
DEFAULT_WORKSPACE_RETENTION_DAYS = 90


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c.replace(".", r"\.") for c in word)


WORKSPACE_ID_EXAMPLE = (
    "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<workspace>"
)
# ARM IDs are case-insensitive; the workspace name is 4-63 letters, digits and dashes, not starting or ending with a
# dash (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
LogAnalyticsWorkspaceId = text(
    "a Log Analytics workspace resource ID",
    rf"^/{_any_case('subscriptions')}/[0-9a-fA-F-]{{36}}/{_any_case('resourceGroups')}/[^/]+/"
    rf"{_any_case('providers')}/{_any_case('Microsoft.OperationalInsights')}/{_any_case('workspaces')}/"
    r"[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$",
    explain=lambda _: f"must be a Log Analytics workspace resource ID: {WORKSPACE_ID_EXAMPLE}",
)
DISABLED_REASON_RULE = "why this vault keeps no audit log, such as 'logs go to the SIEM through Event Hubs'"
DisabledReason = text(
    DISABLED_REASON_RULE, r"^\s*\S.{8,}\S\s*$",
    explain=lambda _: f"must be {DISABLED_REASON_RULE} (at least 10 characters)",
)


@settings
class AuditLogSettings(Settings):
    """Key Vault's audit log (``AuditEvent``) and metrics (``AllMetrics``) in a Log Analytics workspace: an existing
    one (``workspace_id``), or one the azure stack creates (``log-<vault name>``, ``workspace_retention_days``).
    On by default when the firewall denies by default; turning it off there needs ``disabled_reason``.
    https://learn.microsoft.com/azure/key-vault/general/howto-logging"""

    enabled: Flag | None = Field(
        None,
        description="Send the audit log and metrics to Log Analytics. Default: on when "
        "key_vault.network_acls.default_action is Deny (CIS Azure), off otherwise.",
    )
    disabled_reason: DisabledReason | None = Field(
        None,
        description="Required to turn the audit log off on a vault whose firewall denies by default: why (it "
        "shows in review).",
    )
    workspace_id: LogAnalyticsWorkspaceId | None = Field(
        None, description="An existing Log Analytics workspace. Default: the azure stack creates log-<vault name>."
    )
    workspace_retention_days: whole(WORKSPACE_RETENTION_MIN_DAYS, WORKSPACE_RETENTION_MAX_DAYS, "days") | None = Field(
        None,
        description=f"How long the workspace the stack creates keeps the log (default "
        f"{DEFAULT_WORKSPACE_RETENTION_DAYS}); not for an existing workspace_id, whose owner sets it.",
    )

    @model_validator(mode="after")
    def _settings_fit(self) -> AuditLogSettings:
        if self.workspace_id and self.workspace_retention_days is not None:
            raise problem(
                "applies only to the workspace the stack creates: set the retention on the existing workspace "
                "(workspace_id), or drop workspace_id",
                at=("workspace_retention_days",), value=self.workspace_retention_days,
            )
        if self.disabled_reason and self.enabled is not False:
            raise problem("goes only with enabled: false", at=("disabled_reason",), value=self.disabled_reason)
        return self

    @property
    def retention_days(self) -> int:
        return DEFAULT_WORKSPACE_RETENTION_DAYS if self.workspace_retention_days is None else self.workspace_retention_days


class AlertSeverity(Enum):
    SEV0 = "Sev0"
    SEV1 = "Sev1"
    SEV2 = "Sev2"
    SEV3 = "Sev3"
    SEV4 = "Sev4"


RECEIVER_NAME_RULE = "1-64 letters, digits, '-' and '_', starting with a letter or digit"
ReceiverName = text(RECEIVER_NAME_RULE, r"^[A-Za-z0-9][-_A-Za-z0-9]{0,63}$")
EMAIL_RULE = "an email address such as 'platform-team@example.org'"
EmailAddress = text(EMAIL_RULE, r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", max_length=254)
VARIABLE_RULE = "a Terraform variable name: letters, digits, '_' and '-', starting with a letter or '_'"
WebhookVariable = text(VARIABLE_RULE, r"^[A-Za-z_][A-Za-z0-9_-]*$")


@settings
class WebhookReceiver(Settings):
    """A webhook the action group calls. Its URL usually carries a key, so it is a secret: it is never written in
    the file but supplied at apply time as the sensitive Terraform variable named here (``TF_VAR_<variable>``)."""

    variable: WebhookVariable = Field(description="The sensitive Terraform variable that carries the webhook URL.")
    use_common_alert_schema: Flag = Field(True, description="Send Azure Monitor's common alert schema.")

    refused = {"url": (False, "must not be written in the file (a webhook URL usually carries a key): name a "
                              "sensitive Terraform variable instead, variable: <name>, and supply TF_VAR_<name>")}


@settings
class ExpiryNotificationSettings(Settings):
    """Warnings before secrets expire: an Event Grid system topic on the vault, subscribed to
    ``Microsoft.KeyVault.SecretNearExpiry`` (30 days before a secret's expiration_date) and
    ``Microsoft.KeyVault.SecretExpired``, raising an Azure Monitor alert that calls an action group with these
    receivers. https://learn.microsoft.com/azure/key-vault/general/event-grid-overview"""

    email_receivers: sorted_map(ReceiverName, EmailAddress) = Field(
        default_factory=dict, description="Receiver name -> email address the action group writes to."
    )
    webhook_receivers: sorted_map(ReceiverName, WebhookReceiver) = Field(
        default_factory=dict, description="Receiver name -> webhook (its URL from a sensitive Terraform variable)."
    )
    severity: choice(AlertSeverity) = Field(AlertSeverity.SEV3, description="The severity of the alerts raised.")

    @model_validator(mode="after")
    def _someone_is_told(self) -> ExpiryNotificationSettings:
        if not self.email_receivers and not self.webhook_receivers:
            raise problem("needs at least one of email_receivers and webhook_receivers", value=MISSING)
        first: dict[str, str] = {}
        for receiver, webhook in self.webhook_receivers.items():
            if webhook.variable in first:
                raise problem(f"is also the variable of webhook receiver {first[webhook.variable]!r}: give each "
                              "webhook a variable of its own", at=("webhook_receivers", receiver, "variable"),
                              value=webhook.variable)
            first[webhook.variable] = receiver
        return self


def audit_logs_enabled(settings: AuditLogSettings, *, firewall_denies: bool) -> bool:
    """Whether the vault sends its audit log: as set, else when the firewall denies by default."""
    return firewall_denies if settings.enabled is None else settings.enabled


Problem = tuple[str, object, str]


def audit_log_problems(settings: AuditLogSettings, *, firewall_denies: bool) -> list[Problem]:
    """An audit log turned off on a firewalled vault must say why, so that the opt-out is visible in review."""
    if firewall_denies and settings.enabled is False and not settings.disabled_reason:
        return [("key_vault.audit_logs.enabled", False, (
            "needs key_vault.audit_logs.disabled_reason on a vault whose firewall denies by default "
            "(network_acls.default_action 'Deny'): CIS Azure asks for Key Vault audit logs there; say why this "
            "vault keeps none, or remove enabled: false"))]
    return []


def expired_secret_problems(secrets: list[tuple[str, str]], now: datetime) -> list[Problem]:
    """Secrets whose ``expiration_date`` is not after ``now`` (the moment of synth): Key Vault would store a secret
    that is expired the moment it is written. ``secrets`` are (where declared, expiration date)."""
    problems: list[Problem] = []
    moment = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    for declared_at, date in secrets:
        if datetime.fromisoformat(date.replace("Z", "+00:00")) <= now:
            problems.append((f"{declared_at}.expiration_date", date, (
                f"is not in the future (now: {moment}): the secret would be expired when written; rotate the value "
                "and set a later date, or remove expiration_date")))
    return problems


__all__ = [
    "AlertSeverity",
    "AuditLogSettings",
    "ExpiryNotificationSettings",
    "WebhookReceiver",
    "DEFAULT_WORKSPACE_RETENTION_DAYS",
    "audit_log_problems",
    "audit_logs_enabled",
    "expired_secret_problems",
]
