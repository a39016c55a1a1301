"""key_vault.audit_logs and the expiry-date rule: every rule with the exact message a user sees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from config import ConfigError, parse_environment
from support import WRITE_ONLY, environment_data, make_env

F = "environments/test.yaml"
WORKSPACE = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-logs/providers/"
             "Microsoft.OperationalInsights/workspaces/log-central")
WORKSPACE_RULE = ("must be a Log Analytics workspace resource ID: /subscriptions/<id>/resourceGroups/<rg>/providers/"
                  "Microsoft.OperationalInsights/workspaces/<workspace>")

REJECTED = [
    (
        "workspace id of another resource type",
        {"key_vault.audit_logs": {"workspace_id": WORKSPACE.replace("OperationalInsights/workspaces", "Storage/storageAccounts")}},
        f"{F}: key_vault.audit_logs.workspace_id "
        f"'{WORKSPACE.replace('OperationalInsights/workspaces', 'Storage/storageAccounts')}': {WORKSPACE_RULE}",
    ),
    (
        "workspace id that is a name",
        {"key_vault.audit_logs": {"workspace_id": "log-central"}},
        f"{F}: key_vault.audit_logs.workspace_id 'log-central': {WORKSPACE_RULE}",
    ),
    (
        "workspace name ending with a dash",
        {"key_vault.audit_logs": {"workspace_id": WORKSPACE + "-"}},
        f"{F}: key_vault.audit_logs.workspace_id '{WORKSPACE}-': {WORKSPACE_RULE}",
    ),
    (
        "retention below 30 days",
        {"key_vault.audit_logs": {"workspace_retention_days": 7}},
        f"{F}: key_vault.audit_logs.workspace_retention_days 7: must be a whole number from 30 to 730 days",
    ),
    (
        "retention above 730 days",
        {"key_vault.audit_logs": {"workspace_retention_days": 731}},
        f"{F}: key_vault.audit_logs.workspace_retention_days 731: must be a whole number from 30 to 730 days",
    ),
    (
        "retention as a string",
        {"key_vault.audit_logs": {"workspace_retention_days": "90"}},
        f"{F}: key_vault.audit_logs.workspace_retention_days '90': must be a whole number from 30 to 730 days",
    ),
    (
        "retention with an existing workspace",
        {"key_vault.audit_logs": {"workspace_id": WORKSPACE, "workspace_retention_days": 90}},
        f"{F}: key_vault.audit_logs.workspace_retention_days 90: applies only to the workspace the stack creates: "
        "set the retention on the existing workspace (workspace_id), or drop workspace_id",
    ),
    (
        "enabled as a string",
        {"key_vault.audit_logs": {"enabled": "yes"}},
        f"{F}: key_vault.audit_logs.enabled 'yes': must be true or false",
    ),
    (
        "turned off behind a denying firewall without a reason",
        {"key_vault.audit_logs": {"enabled": False}},
        f"{F}: key_vault.audit_logs.enabled false: needs key_vault.audit_logs.disabled_reason on a vault whose "
        "firewall denies by default (network_acls.default_action 'Deny'): CIS Azure asks for Key Vault audit logs "
        "there; say why this vault keeps none, or remove enabled: false",
    ),
    (
        "a reason too short",
        {"key_vault.audit_logs": {"enabled": False, "disabled_reason": "SIEM"}},
        f"{F}: key_vault.audit_logs.disabled_reason 'SIEM': must be why this vault keeps no audit log, such as "
        "'logs go to the SIEM through Event Hubs' (at least 10 characters)",
    ),
    (
        "a reason while the log is on",
        {"key_vault.audit_logs": {"disabled_reason": "logs go elsewhere already"}},
        f"{F}: key_vault.audit_logs.disabled_reason 'logs go elsewhere already': goes only with enabled: false",
    ),
    (
        "expiry notifications without a receiver",
        {"key_vault.expiry_notifications": {"severity": "Sev2"}},
        f"{F}: key_vault.expiry_notifications: needs at least one of email_receivers and "
        "webhook_receivers",
    ),
    (
        "an email receiver that is no address",
        {"key_vault.expiry_notifications": {"email_receivers": {"platform": "platform-team"}}},
        f"{F}: key_vault.expiry_notifications.email_receivers.platform 'platform-team': must be an email address "
        "such as 'platform-team@example.org'",
    ),
    (
        "a receiver name with a space",
        {"key_vault.expiry_notifications": {"email_receivers": {"platform team": "a@example.org"}}},
        f"{F}: key_vault.expiry_notifications.email_receivers.platform team 'platform team': must be 1-64 letters, "
        "digits, '-' and '_', starting with a letter or digit",
    ),
    (
        "a webhook URL written in the file",
        {"key_vault.expiry_notifications": {"webhook_receivers": {"pager": {"url": "https://hooks.example.org/x"}}}},
        f"{F}: key_vault.expiry_notifications.webhook_receivers.pager.url '<not shown>': must not be written in the "
        "file (a webhook URL usually carries a key): name a sensitive Terraform variable instead, variable: <name>, "
        "and supply TF_VAR_<name>",
    ),
    (
        "a webhook variable that is no Terraform name",
        {"key_vault.expiry_notifications": {"webhook_receivers": {"pager": {"variable": "1url"}}}},
        f"{F}: key_vault.expiry_notifications.webhook_receivers.pager.variable '1url': must be a Terraform variable "
        "name: letters, digits, '_' and '-', starting with a letter or '_'",
    ),
    (
        "two webhooks sharing a variable",
        {"key_vault.expiry_notifications": {"webhook_receivers": {"chat": {"variable": "hook_url"},
                                                                  "pager": {"variable": "hook_url"}}}},
        f"{F}: key_vault.expiry_notifications.webhook_receivers.pager.variable 'hook_url': is also the variable of "
        "webhook receiver 'chat': give each webhook a variable of its own",
    ),
    (
        "a webhook variable that is also a secret's",
        {"key_vault.expiry_notifications": {"webhook_receivers": {"pager": {"variable": "myapp_api_key"}}},
         "apps.myapp": {"sensitive_secrets": {"api-key": {"variable": "myapp_api_key"}}}},
        f"{F}: key_vault.expiry_notifications.webhook_receivers.pager.variable 'myapp_api_key': is also the variable "
        "of apps.myapp.sensitive_secrets.api-key: TF_VAR_myapp_api_key would give both the same value; give the "
        "webhook a variable of its own",
    ),
    (
        "a webhook in an environment that keeps no secret in state",
        {**WRITE_ONLY,
         "key_vault.expiry_notifications": {"webhook_receivers": {"pager": {"variable": "pager_url"}}}},
        f"{F}: key_vault.expiry_notifications.webhook_receivers.pager 'pager_url': is not possible with "
        "key_vault.write_only_secrets: the action group keeps a webhook's URL, and the key in it, in the Terraform "
        "state of azure-<env> (service_uri has no write-only form), and this environment keeps no secret in state; "
        "use email_receivers, or a webhook without a key",
    ),
    (
        "an unknown severity",
        {"key_vault.expiry_notifications": {"email_receivers": {"platform": "a@example.org"}, "severity": "high"}},
        f"{F}: key_vault.expiry_notifications.severity 'high': must be one of 'Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4'",
    ),
    (
        "a misspelt key",
        {"key_vault.audit_logs": {"retention_days": 90}},
        f"{F}: key_vault.audit_logs.retention_days: unknown key (did you mean workspace_retention_days?)",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_rejected(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message


def test_audit_logs_are_on_by_default_behind_a_denying_firewall():
    assert make_env().key_vault.audit_logs_enabled


def test_audit_logs_are_off_by_default_behind_an_open_firewall():
    assert not make_env({"key_vault.network_acls": {"default_action": "Allow"}}).key_vault.audit_logs_enabled


def test_audit_logs_can_be_turned_on_behind_an_open_firewall():
    env = make_env({"key_vault.network_acls": {"default_action": "Allow"}, "key_vault.audit_logs": {"enabled": True}})
    assert env.key_vault.audit_logs_enabled


def test_audit_logs_turn_off_behind_a_denying_firewall_with_a_reason():
    env = make_env({"key_vault.audit_logs": {"enabled": False, "disabled_reason": "logs go to the SIEM via Event Hubs"}})
    assert not env.key_vault.audit_logs_enabled


def test_expiry_notifications_are_off_unless_configured():
    assert make_env().key_vault.expiry_notifications is None


def test_expiry_alerts_are_sev3_by_default():
    env = make_env({"key_vault.expiry_notifications": {"email_receivers": {"platform": "a@example.org"}}})
    assert env.key_vault.expiry_notifications.severity.value == "Sev3"


def test_created_workspace_keeps_the_log_90_days_by_default():
    assert make_env().key_vault.audit_logs.retention_days == 90


# -- expiration dates against the moment of synth: a clock passed in, so no test depends on today's date ------

NOW = datetime(2030, 6, 1, 12, 0, 0, tzinfo=UTC)


def parse_at(now, expiration_date):
    data = environment_data({"apps.myapp": {"random_secrets": {"db-password": {"expiration_date": expiration_date}}}})
    return parse_environment(F, yaml.safe_dump(data), now=now)


def test_expiration_date_in_the_past_is_rejected():
    with pytest.raises(ConfigError) as error:
        parse_at(NOW, "2030-05-31T00:00:00Z")
    assert str(error.value) == (
        f"{F}: apps.myapp.random_secrets.db-password.expiration_date '2030-05-31T00:00:00Z': is not in the future "
        "(now: 2030-06-01T12:00:00Z): the secret would be expired when written; rotate the value and set a later "
        "date, or remove expiration_date")


def test_expiration_date_at_the_moment_of_synth_is_rejected():
    with pytest.raises(ConfigError, match="is not in the future"):
        parse_at(NOW, "2030-06-01T12:00:00Z")


def test_expiration_date_after_the_moment_of_synth_is_accepted():
    env = parse_at(NOW, "2030-06-01T12:00:01Z")
    assert env.apps[0].secret("db-password").expiration_date == "2030-06-01T12:00:01Z"


def test_expiration_dates_are_checked_against_the_clock_by_default():
    with pytest.raises(ConfigError, match="is not in the future"):
        parse_at(None, "2000-01-01T00:00:00Z")
