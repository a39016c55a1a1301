"""Every validation rule of an environment file, with the exact message a user sees."""

from __future__ import annotations

import pytest

from config import ConfigError, parse_environment
from support import SUBNET_EXAMPLE, make_env

F = "environments/test.yaml"
GUID = "00000000-0000-0000-0000-000000000000"

# (test id, changes to the minimal environment, the whole expected message)
REJECTED = [
    (
        "vault name with double dash",
        {"key_vault.name": "my--kv"},
        f"{F}: key_vault.name 'my--kv': must not contain '--' (3-24 letters, digits and single dashes, starting with "
        "a letter and ending with a letter or digit)",
    ),
    (
        "vault name too short",
        {"key_vault.name": "kv"},
        f"{F}: key_vault.name 'kv': must be 3-24 characters long, not 2 (3-24 letters, digits and single dashes, "
        "starting with a letter and ending with a letter or digit)",
    ),
    (
        "vault name too long",
        {"key_vault.name": "k" * 25},
        f"{F}: key_vault.name '{'k' * 25}': must be 3-24 characters long, not 25 (3-24 letters, digits and single "
        "dashes, starting with a letter and ending with a letter or digit)",
    ),
    (
        "vault name with underscore",
        {"key_vault.name": "my_kv"},
        f"{F}: key_vault.name 'my_kv': must not contain '_' (3-24 letters, digits and single dashes, starting with "
        "a letter and ending with a letter or digit)",
    ),
    (
        "vault name starting with a digit",
        {"key_vault.name": "1kv"},
        f"{F}: key_vault.name '1kv': must start with a letter (3-24 letters, digits and single dashes, starting "
        "with a letter and ending with a letter or digit)",
    ),
    (
        "vault name ending with a dash",
        {"key_vault.name": "kv-"},
        f"{F}: key_vault.name 'kv-': must end with a letter or digit (3-24 letters, digits and single dashes, "
        "starting with a letter and ending with a letter or digit)",
    ),
    (
        "vault name missing",
        {"key_vault": {}},
        f"{F}: key_vault.name: is required (3-24 letters, digits and single dashes, starting with a letter and "
        "ending with a letter or digit)",
    ),
    (
        "retention below seven days",
        {"key_vault.soft_delete_retention_days": 6},
        f"{F}: key_vault.soft_delete_retention_days 6: must be a whole number from 7 to 90 days",
    ),
    (
        "retention above ninety days",
        {"key_vault.soft_delete_retention_days": 91},
        f"{F}: key_vault.soft_delete_retention_days 91: must be a whole number from 7 to 90 days",
    ),
    (
        "retention as text",
        {"key_vault.soft_delete_retention_days": "ninety"},
        f"{F}: key_vault.soft_delete_retention_days 'ninety': must be a whole number from 7 to 90 days",
    ),
    (
        "unknown sku",
        {"key_vault.sku_name": "basic"},
        f"{F}: key_vault.sku_name 'basic': must be one of 'standard', 'premium'",
    ),
    (
        "purge protection as text",
        {"key_vault.purge_protection_enabled": "yes please"},
        f"{F}: key_vault.purge_protection_enabled 'yes please': must be true or false",
    ),
    (
        "unknown network default action",
        {"key_vault.network_acls": {"default_action": "deny"}},
        f"{F}: key_vault.network_acls.default_action 'deny': must be one of 'Deny', 'Allow'",
    ),
    (
        "unknown network bypass",
        {"key_vault.network_acls": {"bypass": "Everything"}},
        f"{F}: key_vault.network_acls.bypass 'Everything': must be one of 'AzureServices', 'None'",
    ),
    (
        "ip rule that is no address",
        {"key_vault.network_acls": {"ip_rules": ["office"]}},
        f"{F}: key_vault.network_acls.ip_rules[0] 'office': must be a public IPv4 address or CIDR range, such as "
        "'203.0.113.7' or '203.0.113.0/24'",
    ),
    (
        "ipv6 ip rule",
        {"key_vault.network_acls": {"ip_rules": ["2001:db8::/32"]}},
        f"{F}: key_vault.network_acls.ip_rules[0] '2001:db8::/32': must be an IPv4 address or CIDR range: Key Vault "
        "firewall rules do not accept IPv6",
    ),
    (
        "private ip rule",
        {"key_vault.network_acls": {"ip_rules": ["10.1.0.0/16"]}},
        f"{F}: key_vault.network_acls.ip_rules[0] '10.1.0.0/16': must be a public IPv4 address or range: the Key "
        "Vault firewall sees public source addresses only (allow private networks with virtual_network_subnet_ids)",
    ),
    (
        "ip rule listed twice",
        {"key_vault.network_acls": {"ip_rules": ["203.0.113.7", "203.0.113.7"]}},
        f"{F}: key_vault.network_acls.ip_rules '203.0.113.7': is listed twice",
    ),
    (
        "subnet that is no resource id",
        {"key_vault.network_acls": {"virtual_network_subnet_ids": ["nodes"]}},
        f"{F}: key_vault.network_acls.virtual_network_subnet_ids[0] 'nodes': must be a subnet resource ID: "
        "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
    ),
    (
        "secrets officer that is no object id",
        {"key_vault.secrets_officers": ["alice@example.com"]},
        f"{F}: key_vault.secrets_officers[0] 'alice@example.com': must be a GUID such as "
        "00000000-0000-0000-0000-000000000000",
    ),
    (
        "rbac wait above ten minutes",
        {"key_vault.rbac_propagation_wait_seconds": 601},
        f"{F}: key_vault.rbac_propagation_wait_seconds 601: must be a whole number from 0 to 600 seconds",
    ),
    (
        "location with spaces",
        {"azure.location": "West Europe"},
        f"{F}: azure.location 'West Europe': must be an Azure region name in lower case without spaces, such as "
        "'westeurope'",
    ),
    (
        "resource group ending with a dot",
        {"azure.resource_group": "rg."},
        f"{F}: azure.resource_group 'rg.': must be 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending "
        "with '.'",
    ),
    (
        "subscription that is no guid",
        {"azure.subscription_id": "my-subscription"},
        f"{F}: azure.subscription_id 'my-subscription': must be a GUID such as 00000000-0000-0000-0000-000000000000",
    ),
    (
        "tag name with a slash",
        {"azure.tags": {"team/owner": "platform"}},
        f"{F}: azure.tags.team/owner 'team/owner': tag names must be 1-512 characters without < > * % & : \\ ? / +",
    ),
    (
        "tag value too long",
        {"azure.tags": {"owner": "x" * 257}},
        f"{F}: azure.tags.owner '{'x' * 257}': tag values must be at most 256 characters",
    ),
    (
        "tag value that is a number",
        {"azure.tags": {"cost-center": 42}},
        f"{F}: azure.tags.cost-center 42: must be a string (a tag value)",
    ),
    (
        "unknown eso auth",
        {"eso.auth": "client_secret"},
        f"{F}: eso.auth 'client_secret': must be one of 'service_principal', 'workload_identity'",
    ),
    (
        "password validity above two years",
        {"eso.service_principal": {"password_validity_days": 731}},
        f"{F}: eso.service_principal.password_validity_days 731: must be a whole number from 1 to 730 days",
    ),
    (
        "empty display name",
        {"eso.service_principal": {"display_name": "  "}},
        f"{F}: eso.service_principal.display_name '  ': must be 1-120 characters",
    ),
    (
        "workload identity settings with service principal auth",
        {"eso.workload_identity": {"identity_name": "id-eso"}},
        f"{F}: eso.workload_identity {{'identity_name': 'id-eso'}}: is only read with auth 'workload_identity'",
    ),
    (
        "write-only secrets with a service principal",
        {"key_vault.write_only_secrets": True},
        f"{F}: key_vault.write_only_secrets true: needs eso.auth 'workload_identity': with 'service_principal' Entra "
        "ID makes a client secret for ESO (and for each isolated app), and Terraform keeps it in the state of "
        "azure-<env> and of the stacks that read it (azuread_application_password has no write-only form), so this "
        "environment would still keep secrets in state (docs/secrets-in-state.md)",
    ),
    (
        "workload identity without oidc issuer",
        {"eso.auth": "workload_identity"},
        f"{F}: cluster.oidc_issuer_url: is required with eso.auth 'workload_identity' (the cluster's OIDC "
        "issuer, from `az aks show --query oidcIssuerProfile.issuerUrl`)",
    ),
    (
        "oidc issuer over plain http",
        {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "http://issuer.example"},
        f"{F}: cluster.oidc_issuer_url 'http://issuer.example': must be an https:// URL (the cluster's OIDC issuer, "
        "from `az aks show --query oidcIssuerProfile.issuerUrl`)",
    ),
    (
        "eso namespace with capitals",
        {"eso.namespace": "External-Secrets"},
        f"{F}: eso.namespace 'External-Secrets': must be a Kubernetes name: 1-63 lower-case letters, digits and "
        "'-', starting and ending with a letter or digit",
    ),
    (
        "absolute kubeconfig path",
        {"cluster.kubeconfig_path": "/home/alice/.kube/config"},
        f"{F}: cluster.kubeconfig_path '/home/alice/.kube/config': must not be an absolute path: it is written "
        "into the synthesized stack, so use '~/...' or a path relative to cdktf.out/stacks/<stack>/",
    ),
    (
        "app name with underscore",
        {"apps": {"my_app": {}}},
        f"{F}: apps.my_app 'my_app': app names must be a Kubernetes name: 1-63 lower-case letters, digits and '-', "
        "starting and ending with a letter or digit",
    ),
    (
        "unknown top-level key close to a valid one",
        {"keyvault": {"name": "kv-test"}},
        f"{F}: keyvault: unknown key (did you mean key_vault?)",
    ),
    (
        "unknown top-level key close to none",
        {"colour": "blue"},
        f"{F}: colour: unknown key (allowed here: adopt, apps, azure, backend, cluster, delivery, eso, key_vault)",
    ),
    (
        "unknown key in a section",
        {"key_vault.nmae": "kv-test"},
        f"{F}: key_vault.nmae: unknown key (did you mean name?)",
    ),
    (
        "unknown key in a section close to none",
        {"key_vault.colour": "blue"},
        f"{F}: key_vault.colour: unknown key (allowed here: audit_logs, expiry_notifications, name, network_acls, prevent_destroy, "
        "private_endpoint, public_network_access_enabled, purge_protection_enabled, rbac_propagation_wait_seconds, "
        "secrets_officers, sku_name, soft_delete_retention_days, write_only_secrets)",
    ),
    (
        "private dns zone that is no resource id",
        {"key_vault.private_endpoint": {"subnet_id": SUBNET_EXAMPLE, "private_dns_zone_ids": ["privatelink.vaultcore.azure.net"]}},
        f"{F}: key_vault.private_endpoint.private_dns_zone_ids[0] 'privatelink.vaultcore.azure.net': must be a private "
        "DNS zone resource ID: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/"
        "privatelink.vaultcore.azure.net",
    ),
    (
        "private endpoint without subnet",
        {"key_vault.private_endpoint": {}},
        f"{F}: key_vault.private_endpoint.subnet_id: is required (a subnet resource ID)",
    ),
    (
        "role assignment budget above azure's limit",
        {"azure.role_assignment_budget": 4001},
        f"{F}: azure.role_assignment_budget 4001: must be a whole number from 1 to 4000",
    ),
    (
        "tag name that is no string",
        {"azure.tags": {1: "x"}},
        f"{F}: azure.tags.1 1: keys must be strings",
    ),
    (
        "list written as one value",
        {"key_vault.secrets_officers": "00000000-0000-0000-0000-000000000000"},
        f"{F}: key_vault.secrets_officers '00000000-0000-0000-0000-000000000000': must be a list (object IDs of "
        "users, groups or service principals)",
    ),
    (
        "workload identity name too short",
        {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/",
         "eso.workload_identity": {"identity_name": "id"}},
        f"{F}: eso.workload_identity.identity_name 'id': must be 3-128 letters, digits, '-' and '_', starting with a "
        "letter or digit",
    ),
    (
        "service principal settings with workload identity auth",
        {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/",
         "eso.service_principal": {"display_name": "eso"}},
        f"{F}: eso.service_principal {{'display_name': 'eso'}}: is only read with auth 'service_principal'",
    ),
    (
        "unknown delivery mode",
        {"delivery": {"mode": "argo"}},
        f"{F}: delivery.mode 'argo': must be one of 'terraform', 'gitops'",
    ),
    (
        "gitops repository that is no git url",
        {"azure.tenant_id": GUID, "delivery": {"mode": "gitops", "repo_url": "github.com/acme/secrets"}},
        f"{F}: delivery.repo_url 'github.com/acme/secrets': must be a Git URL Argo CD can clone, such as "
        "'https://github.com/acme/platform-secrets.git'",
    ),
    (
        "gitops destination over plain http",
        {"azure.tenant_id": GUID,
         "delivery": {"mode": "gitops", "repo_url": "https://github.com/a/b.git", "destination_server": "http://k8s"}},
        f"{F}: delivery.destination_server 'http://k8s': must be an https:// URL of a Kubernetes API server",
    ),
    (
        "section that is not a mapping",
        {"key_vault": ["kv-test"]},
        f"{F}: key_vault ['kv-test']: must be a mapping of keys to values",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_invalid_setting_is_rejected_with_file_field_value_and_rule(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message


def test_key_given_twice_is_rejected_with_its_line():
    text = "key_vault:\n  name: kv-one\n  name: kv-two\n"
    with pytest.raises(ConfigError) as error:
        parse_environment(F, text)
    assert str(error.value) == f"{F}: line 3, column 3: not valid YAML: key 'name' is given twice (first on line 2)"


def test_yaml_syntax_error_names_the_file_line_and_column():
    with pytest.raises(ConfigError) as error:
        parse_environment(F, "key_vault:\n  name: kv-test\n wrong: 1\n")
    assert str(error.value) == (
        f"{F}: line 3, column 2: not valid YAML: expected <block end>, but found '<block mapping start>' (while "
        "parsing a block mapping on line 1, column 1)"
    )


def test_yaml_error_without_context_names_the_line_and_column():
    with pytest.raises(ConfigError) as error:
        parse_environment(F, "azure: *nope\n")
    assert str(error.value) == f"{F}: line 1, column 8: not valid YAML: found undefined alias 'nope'"


def test_boolean_where_a_number_is_expected_is_shown_as_yaml_writes_it():
    with pytest.raises(ConfigError) as error:
        make_env({"eso.service_principal": {"password_generation": True}})
    assert str(error.value) == (
        f"{F}: eso.service_principal.password_generation true: must be a whole number from 1 to 1000000"
    )


def test_null_in_a_list_is_shown_as_yaml_writes_it():
    with pytest.raises(ConfigError) as error:
        make_env({"key_vault.secrets_officers": [None]})
    assert str(error.value) == (
        f"{F}: key_vault.secrets_officers[0] null: must be a string (object IDs of users, groups or service principals)"
    )


def test_unquoted_date_is_shown_as_yaml_writes_it():
    with pytest.raises(ConfigError) as error:
        parse_environment(F, "azure: {location: westeurope, resource_group: rg, tags: {review: 2027-12-31}}\n"
                             "key_vault: {name: kv-test}\n")
    assert str(error.value) == f"{F}: azure.tags.review 2027-12-31: must be a string (a tag value)"


def test_mapping_is_shown_in_yaml_flow_form():
    with pytest.raises(ConfigError) as error:
        make_env({"eso.workload_identity": {"identity_name": None, "enabled": False}})
    assert str(error.value) == (
        f"{F}: eso.workload_identity {{'identity_name': null, 'enabled': false}}: is only read with auth "
        "'workload_identity'"
    )


def test_environment_file_name_must_be_a_simple_name():
    with pytest.raises(ConfigError) as error:
        parse_environment("environments/prod-eu.yaml", "")
    assert str(error.value) == (
        "environments/prod-eu.yaml: (file name) 'prod-eu': environment names must be 1-16 lower-case letters and "
        "digits, starting with a letter (the name becomes part of stack names)"
    )


def test_top_level_that_is_not_a_mapping_is_rejected():
    with pytest.raises(ConfigError) as error:
        parse_environment(F, "- just\n- a list\n")
    assert str(error.value) == f"{F}: (top level) ['just', 'a list']: must be a mapping of keys to values"


def test_empty_file_is_reported_by_the_settings_it_lacks():
    with pytest.raises(ConfigError) as error:
        parse_environment(F, "")
    assert str(error.value).splitlines() == [
        f"{F}: azure.location: is required (an Azure region such as 'westeurope')",
        f"{F}: azure.resource_group: is required (1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.')",
        f"{F}: key_vault.name: is required (3-24 letters, digits and single dashes, starting with a letter and ending "
        "with a letter or digit)",
    ]


def test_every_independent_problem_of_a_file_is_reported_in_one_run():
    with pytest.raises(ConfigError) as error:
        make_env({"key_vault.name": "kv", "azure.location": "West Europe", "eso.replicas": 0})
    assert str(error.value).splitlines() == [
        f"{F}: azure.location 'West Europe': must be an Azure region name in lower case without spaces, such as "
        "'westeurope'",
        f"{F}: key_vault.name 'kv': must be 3-24 characters long, not 2 (3-24 letters, digits and single dashes, "
        "starting with a letter and ending with a letter or digit)",
        f"{F}: eso.replicas 0: must be a whole number from 1 to 10",
    ]


def test_unknown_key_comes_first_and_hides_the_missing_key_it_likely_misspells():
    with pytest.raises(ConfigError) as error:
        make_env({"key_vault": {"nmae": "kv-test"}, "eso.replicas": 0})
    assert str(error.value).splitlines() == [
        f"{F}: key_vault.nmae: unknown key (did you mean name?)",
        f"{F}: eso.replicas 0: must be a whole number from 1 to 10",
    ]


def test_misspelt_section_is_reported_as_unknown_before_its_required_keys_are_missing():
    with pytest.raises(ConfigError) as error:
        make_env({"key_vualt": {"name": "kv-test"}}, drop=("key_vault",))
    assert str(error.value) == f"{F}: key_vualt: unknown key (did you mean key_vault?)"


def test_misspelt_required_key_is_reported_as_unknown_before_it_is_missing():
    with pytest.raises(ConfigError) as error:
        make_env({"key_vault": {"nmae": "kv-test"}})
    assert str(error.value) == f"{F}: key_vault.nmae: unknown key (did you mean name?)"


def test_unknown_keys_are_reported_in_file_order():
    with pytest.raises(ConfigError) as error:
        make_env({"key_vault": {"nmae": "kv-test", "a_typo": 1}})
    assert str(error.value).splitlines() == [
        f"{F}: key_vault.nmae: unknown key (did you mean name?)",
        f"{F}: key_vault.a_typo: unknown key (allowed here: audit_logs, expiry_notifications, name, network_acls, prevent_destroy, private_endpoint, "
        "public_network_access_enabled, purge_protection_enabled, rbac_propagation_wait_seconds, secrets_officers, "
        "sku_name, soft_delete_retention_days, write_only_secrets)",
    ]


def test_misspelt_secret_setting_names_the_closest_setting():
    with pytest.raises(ConfigError) as error:
        make_env({"apps": {"myapp": {"random_secrets": {"db-password": {"lenght": 40}}}}})
    assert str(error.value) == f"{F}: apps.myapp.random_secrets.db-password.lenght: unknown key (did you mean length?)"
