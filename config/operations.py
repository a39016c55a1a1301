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

from pydantic import Field, model_validator

from config.reader import Flag, Settings, problem, settings, text, whole

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
    "AuditLogSettings",
    "DEFAULT_WORKSPACE_RETENTION_DAYS",
    "audit_log_problems",
    "audit_logs_enabled",
    "expired_secret_problems",
]
