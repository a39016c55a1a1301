"""Rules of apps and their secrets, with the exact message a user sees."""

from __future__ import annotations

import pytest

from config import ConfigError
from config.apps import RandomPolicy, SecretKind, vault_request_rate
from support import make_env

F = "environments/test.yaml"


def app(**settings) -> dict:
    return {"apps": {"myapp": settings}}


REJECTED = [
    (
        "literal password in static secrets",
        app(static_secrets={"db-password": "hunter2"}),
        f"{F}: apps.myapp.static_secrets.db-password '<not shown>': looks like a secret, and a secret value never "
        "goes into an environment file: generate it with random_secrets (db-password: {}), or supply it at apply "
        "time with sensitive_secrets (db-password: {variable: myapp_db_password}) and TF_VAR_<variable>",
    ),
    (
        "literal value in sensitive secrets",
        app(sensitive_secrets={"stripe-api-key": {"value": "sk_live_123"}}),
        f"{F}: apps.myapp.sensitive_secrets.stripe-api-key.value '<not shown>': a secret value never goes into an "
        "environment file: name a sensitive Terraform variable with 'variable' and give its value at apply time "
        "(TF_VAR_<variable>, or an HCP Terraform workspace variable marked sensitive)",
    ),
    (
        "sensitive secret given as a plain value",
        app(sensitive_secrets={"stripe-api-key": "sk_live_123"}),
        f"{F}: apps.myapp.sensitive_secrets.stripe-api-key '<not shown>': must be a mapping naming the sensitive "
        "Terraform variable that supplies the value at apply time, such as {variable: myapp_stripe_api_key}; the "
        "value itself never goes into an environment file",
    ),
    (
        "secret key with underscore",
        app(static_secrets={"db_host": "postgres"}),
        f"{F}: apps.myapp.static_secrets.db_host 'db_host': secret keys must be letters, digits and single dashes, "
        "starting and ending with a letter or digit",
    ),
    (
        "vault secret name too long",
        app(static_secrets={"h" * 124: "postgres"}),
        f"{F}: apps.myapp.static_secrets.{'h' * 124} 'myapp-{'h' * 124}': the vault secret name '<app>-<key>' must "
        "be 1-127 letters, digits and dashes",
    ),
    (
        "random secret shorter than sixteen",
        app(random_secrets={"db-password": {"length": 8}}),
        f"{F}: apps.myapp.random_secrets.db-password.length 8: must be a whole number from 16 to 256 characters",
    ),
    (
        "random minimums above the length",
        app(random_secrets={"db-password": {"length": 16, "min_lower": 6, "min_upper": 6, "min_numeric": 6}}),
        f"{F}: apps.myapp.random_secrets.db-password.length 16: must be at least the sum of the min_* settings (18)",
    ),
    (
        "special minimum without special characters",
        app(random_secrets={"db-password": {"special": False, "min_special": 2}}),
        f"{F}: apps.myapp.random_secrets.db-password.min_special 2: must be 0 when special is false",
    ),
    (
        "special characters with a quote",
        app(random_secrets={"db-password": {"override_special": "-'"}}),
        f"{F}: apps.myapp.random_secrets.db-password.override_special \"-'\": must be punctuation characters other "
        "than quotes, backslash and space",
    ),
    (
        "expiration date without time zone",
        app(random_secrets={"db-password": {"expiration_date": "2027-12-31"}}),
        f"{F}: apps.myapp.random_secrets.db-password.expiration_date '2027-12-31': must be a UTC date and time in "
        "RFC 3339 form, such as '2027-12-31T00:00:00Z'",
    ),
    (
        "sensitive variable with a dot",
        app(sensitive_secrets={"api-token": {"variable": "myapp.token"}}),
        f"{F}: apps.myapp.sensitive_secrets.api-token.variable 'myapp.token': must be a Terraform variable name: "
        "letters, digits, '_' and '-', starting with a letter or '_'",
    ),
    (
        "the same key as static and random",
        app(static_secrets={"db-host": "postgres"}, random_secrets={"db-host": {}}),
        f"{F}: apps.myapp.random_secrets.db-host: is also declared as apps.myapp.static_secrets.db-host",
    ),
    (
        "two apps mapping to one vault name",
        {"apps": {"my": {"static_secrets": {"app-db": "x"}}, "my-app": {"static_secrets": {"db": "y"}}}},
        f"{F}: apps.my-app.static_secrets.db: maps to vault secret 'my-app-db', which apps.my.static_secrets.app-db "
        "maps to as well ('my-app-db'; Key Vault secret names are case-insensitive): rename one of the two",
    ),
    (
        "two names differing only in case",
        app(static_secrets={"DB-host": "x", "db-host": "y"}),
        f"{F}: apps.myapp.static_secrets.db-host: maps to vault secret 'myapp-db-host', which "
        "apps.myapp.static_secrets.DB-host maps to as well ('myapp-DB-host'; Key Vault secret names are "
        "case-insensitive): rename one of the two",
    ),
    (
        "two secrets sharing a variable",
        app(sensitive_secrets={"a-key": {"variable": "shared"}, "b-key": {"variable": "shared"}}),
        f"{F}: apps.myapp.sensitive_secrets.b-key.variable 'shared': is also the variable of "
        "apps.myapp.sensitive_secrets.a-key: give each secret its own variable",
    ),
    (
        "data entry naming an undeclared secret",
        app(static_secrets={"db-host": "x"}, external_secret={"data": {"POSTGRES_PASSWORD": "db-password"}}),
        f"{F}: apps.myapp.external_secret.data.POSTGRES_PASSWORD 'db-password': is not a secret of app 'myapp' "
        "(declared: db-host)",
    ),
    (
        "kubernetes key with a space",
        app(static_secrets={"db-host": "x"}, external_secret={"data": {"DB HOST": "db-host"}}),
        f"{F}: apps.myapp.external_secret.data.DB HOST 'DB HOST': must be a Kubernetes Secret key: letters, digits, "
        "'-', '_' and '.'",
    ),
    (
        "refresh interval without unit",
        app(static_secrets={"db-host": "x"}, external_secret={"refresh_interval": "60"}),
        f"{F}: apps.myapp.external_secret.refresh_interval '60': must be a duration such as '1h', '30m' or '1h30m' "
        "(Go syntax), at least 1m",
    ),
    (
        "refresh interval below a minute",
        app(static_secrets={"db-host": "x"}, external_secret={"refresh_interval": "30s"}),
        f"{F}: apps.myapp.external_secret.refresh_interval '30s': must be a duration such as '1h', '30m' or "
        "'1h30m' (Go syntax), at least 1m",
    ),
    (
        "template naming a missing data key",
        app(static_secrets={"db-host": "x"}, external_secret={"template": {"URL": "postgres://{{ .DB_USER }}"}}),
        f"{F}: apps.myapp.external_secret.template.URL 'postgres://{{{{ .DB_USER }}}}': refers to '.DB_USER', which "
        "is not a data key of this ExternalSecret (DB_HOST)",
    ),
    (
        "delete policy without owner",
        app(static_secrets={"db-host": "x"}, external_secret={"creation_policy": "Orphan", "deletion_policy": "Delete"}),
        f"{F}: apps.myapp.external_secret.deletion_policy 'Delete': requires creation_policy 'Owner'",
    ),
    (
        "merge deletion with no creation",
        app(static_secrets={"db-host": "x"}, external_secret={"creation_policy": "None", "deletion_policy": "Merge"}),
        f"{F}: apps.myapp.external_secret.deletion_policy 'Merge': cannot go with creation_policy 'None'",
    ),
    (
        "secret-looking static value of the wrong type",
        app(static_secrets={"db-password": 12345678}),
        f"{F}: apps.myapp.static_secrets.db-password '<not shown>': must be a string (a value that is not secret, or "
        "a mapping with 'value')",
    ),
    (
        "static value that is a number",
        app(static_secrets={"db-port": 5432}),
        f"{F}: apps.myapp.static_secrets.db-port 5432: must be a string (a value that is not secret, or a mapping "
        "with 'value')",
    ),
    (
        "content type too long",
        app(random_secrets={"db-password": {"content_type": "x" * 256}}),
        f"{F}: apps.myapp.random_secrets.db-password.content_type '{'x' * 256}': must be at most 255 characters, "
        "such as 'text/plain'",
    ),
    (
        "secret version zero",
        app(random_secrets={"db-password": {"version": 0}}),
        f"{F}: apps.myapp.random_secrets.db-password.version 0: must be a whole number from 1 to 1000000",
    ),
    (
        "expiration date that does not exist",
        app(random_secrets={"db-password": {"expiration_date": "2027-02-30T00:00:00Z"}}),
        f"{F}: apps.myapp.random_secrets.db-password.expiration_date '2027-02-30T00:00:00Z': must be a UTC date and "
        "time in RFC 3339 form, such as '2027-12-31T00:00:00Z'",
    ),
    (
        "template named like a data key",
        app(static_secrets={"db-host": "x"}, external_secret={"template": {"DB_HOST": "{{ .DB_HOST }}"}}),
        f"{F}: apps.myapp.external_secret.template.DB_HOST '{{{{ .DB_HOST }}}}': has the same name as a data key; "
        "give the derived key its own name",
    ),
    (
        "external secret with no data",
        app(static_secrets={"db-host": "x"}, external_secret={"data": {}}),
        f"{F}: apps.myapp.external_secret.data: app 'myapp' declares no secrets, so its ExternalSecret would have "
        "no data",
    ),
    (
        "unknown creation policy",
        app(static_secrets={"db-host": "x"}, external_secret={"creation_policy": "owner"}),
        f"{F}: apps.myapp.external_secret.creation_policy 'owner': must be one of 'Owner', 'Orphan', 'Merge', 'None'",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_invalid_app_setting_is_rejected(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message


def test_load_above_the_safe_share_of_key_vault_limits_is_refused_with_the_figure():
    many = {f"app{i}": {"static_secrets": {f"k{j}": "v" for j in range(50)}, "external_secret": {"refresh_interval": "1m"}} for i in range(130)}
    with pytest.raises(ConfigError) as error:
        make_env({"apps": many})
    assert str(error.value) == (
        f"{F}: apps: the ExternalSecrets would read the vault 108 times per second, above the safe share of Key "
        "Vault's limit (100 of 400 GET per second): raise refresh_interval, use refresh_policy OnChange or "
        "CreatedOnce for secrets that seldom change, or spread the apps over more vaults"
    )


def test_request_rate_counts_one_get_per_data_entry_per_refresh():
    env = make_env(app(static_secrets={"a": "1", "b": "2"}, external_secret={"refresh_interval": "1m"}))
    assert vault_request_rate(env.apps) == pytest.approx(2 / 60)


def test_secrets_are_named_app_dash_key():
    env = make_env(app(static_secrets={"db-host": "postgres"}, random_secrets={"db-password": {}}))
    assert [(s.key, s.vault_name, s.kind) for s in env.apps[0].secrets] == [
        ("db-host", "myapp-db-host", SecretKind.STATIC),
        ("db-password", "myapp-db-password", SecretKind.RANDOM),
    ]


def test_random_secrets_default_to_32_url_safe_characters():
    env = make_env(app(random_secrets={"db-password": None}))
    assert env.apps[0].secret("db-password").random == RandomPolicy(length=32, special=True, override_special="-_")


def test_data_defaults_to_every_secret_under_an_environment_variable_name():
    env = make_env(app(static_secrets={"db-host": "x"}, random_secrets={"db-password": {}}))
    assert env.apps[0].external_secret.data == (("DB_HOST", "db-host"), ("DB_PASSWORD", "db-password"))


def test_external_secret_defaults_are_owner_retain_and_one_hour():
    settings = make_env(app(static_secrets={"db-host": "x"})).apps[0].external_secret
    assert (settings.creation_policy.value, settings.deletion_policy.value, settings.refresh_interval) == (
        "Owner", "Retain", "1h"
    )
    assert settings.target_name == "myapp"


def test_secret_tags_name_the_app_and_the_source():
    env = make_env(app(static_secrets={"db-host": {"value": "x", "tags": {"team": "a"}}}))
    assert env.apps[0].secret("db-host").tags == {"app": "myapp", "source": "static", "team": "a"}
