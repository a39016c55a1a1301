"""The ``adopt:`` section: every rule with its exact message (file, field, value, the expected shape).

``SHAPES`` are refused by the type of the value (and by environments/schema.json); ``AGAINST_THE_CONFIGURATION``
by what the rest of the file configures: an ID of another name, vault or subscription, adopting what the
configuration does not manage, one object adopted twice.
"""

from __future__ import annotations

import pytest

from config import ConfigError
from support import make_env

F = "environments/test.yaml: "
SUB = "5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17"
OTHER = "99999999-9999-9999-9999-999999999999"
OBJECT = "11111111-1111-1111-1111-111111111111"
ASSIGNMENT = "33333333-3333-3333-3333-333333333333"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-test"
VAULT = f"{RG}/providers/Microsoft.KeyVault/vaults/kv-test"
RA = f"{VAULT}/providers/Microsoft.Authorization/roleAssignments/{ASSIGNMENT}"
SECRET = "https://kv-test.vault.azure.net/secrets/myapp-db-host/0123456789abcdef0123456789abcdef"
APP = {"apps.myapp": {"static_secrets": {"db-host": "db"}}}
WORKLOAD_IDENTITY = {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"}
GITOPS = {"azure.tenant_id": OBJECT, "delivery": {"mode": "gitops", "repo_url": "https://git.example.org/a.git"}}

# id -> (changes to the minimal environment, the whole expected message)
SHAPES = {
    'a vault ID as the resource group': (
        {'adopt.azure.resource_group': VAULT},
        F + "adopt.azure.resource_group '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/r"
        "g-test/providers/Microsoft.KeyVault/vaults/kv-test': is the ID of a Microsoft.KeyVault/vaults "
        'resource, not of a resource group: /subscriptions/<subscription>/resourceGroups/<group> (az '
        'group show --name <group> --query id -o tsv)',
    ),
    'a resource group name instead of its ID': (
        {'adopt.azure.resource_group': 'secrets-rg'},
        F + "adopt.azure.resource_group 'secrets-rg': must be the resource ID of a resource group: "
        '/subscriptions/<subscription>/resourceGroups/<group> (az group show --name <group> --query id -o'
        ' tsv)',
    ),
    'a number as the resource group': (
        {'adopt.azure.resource_group': 3},
        F + 'adopt.azure.resource_group 3: must be true (the one this file names) or the resource ID of a '
        'resource group, /subscriptions/<subscription>/resourceGroups/<group>',
    ),
    'a vault ID with a trailing slash': (
        {'adopt.azure.key_vault': VAULT+"/"},
        F + "adopt.azure.key_vault '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/rg-tes"
        "t/providers/Microsoft.KeyVault/vaults/kv-test/': is not a well-formed ID of a Key Vault: "
        '/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault>'
        ' (az keyvault show --name <vault> --query id -o tsv)',
    ),
    'a resource group ID as the vault': (
        {'adopt.azure.key_vault': RG},
        F + 'adopt.azure.key_vault '
        "'/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/rg-test': is the ID of a "
        'resource group, not of a Key Vault: '
        '/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault>'
        ' (az keyvault show --name <vault> --query id -o tsv)',
    ),
    'a vault ID as a role assignment': (
        {'adopt.azure.role_assignments.eso_secrets_user': VAULT},
        F + "adopt.azure.role_assignments.eso_secrets_user '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a"
        "17/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test': is the ID of a "
        'Microsoft.KeyVault/vaults resource, not of a role assignment on the vault: /subscriptions/<subsc'
        'ription>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault>/providers/Microsoft.'
        'Authorization/roleAssignments/<GUID> (az role assignment list --scope <vault ID> --query '
        '"[].{id:id, role:roleDefinitionName}")',
    ),
    'a role assignment on the subscription': (
        {'adopt.azure.role_assignments.eso_secrets_user': f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/{ASSIGNMENT}"},
        F + "adopt.azure.role_assignments.eso_secrets_user '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a"
        "17/providers/Microsoft.Authorization/roleAssignments/33333333-3333-3333-3333-333333333333': is a"
        ' role assignment at another scope than a Key Vault: this configuration grants on the vault, and '
        'importing an assignment of another scope would replace it; leave it out: /subscriptions/<subscri'
        'ption>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault>/providers/Microsoft.Au'
        'thorization/roleAssignments/<GUID> (az role assignment list --scope <vault ID> --query '
        '"[].{id:id, role:roleDefinitionName}")',
    ),
    'a service principal ID as the application': (
        {'adopt.azure.application': '/servicePrincipals/11111111-1111-1111-1111-111111111111'},
        F + "adopt.azure.application '/servicePrincipals/11111111-1111-1111-1111-111111111111': is the ID of "
        'a service principal, not of the application: give the object ID of the application (az ad app '
        'list --display-name <name> --query "[].id" -o tsv)',
    ),
    'a display name as the application': (
        {'adopt.azure.application': 'eso-app'},
        F + "adopt.azure.application 'eso-app': must be the object ID of the application, a GUID such as "
        '00000000-0000-0000-0000-000000000000 (az ad app list --display-name <name> --query "[].id" -o '
        'tsv)',
    ),
    'an application ID as the service principal': (
        {'adopt.azure.service_principal': '/applications/11111111-1111-1111-1111-111111111111'},
        F + "adopt.azure.service_principal '/applications/11111111-1111-1111-1111-111111111111': is the ID of"
        ' an application, not of the service principal: give the object ID of the service principal (az '
        'ad sp list --display-name <name> --query "[].id" -o tsv)',
    ),
    'a vault secret ID without its version': (
        {**APP, 'adopt.secrets': {'myapp-db-host': SECRET.rsplit('/',1)[0]}},
        F + "adopt.secrets.myapp-db-host 'https://kv-test.vault.azure.net/secrets/myapp-db-host': lacks the "
        "secret's version: azurerm imports a vault secret by its versioned ID, "
        'https://<vault>.vault.azure.net/secrets/<name>/<version> (az keyvault secret show --vault-name '
        '<vault> --name <name> --query id -o tsv)',
    ),
    "a vault secret's resource manager ID": (
        {**APP, 'adopt.secrets': {'myapp-db-host': VAULT + "/secrets/myapp-db-host"}},
        F + "adopt.secrets.myapp-db-host '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/"
        "rg-test/providers/Microsoft.KeyVault/vaults/kv-test/secrets/myapp-db-host': is an Azure Resource"
        ' Manager ID: azurerm imports a vault secret by its data-plane ID, '
        'https://<vault>.vault.azure.net/secrets/<name>/<version> (az keyvault secret show --vault-name '
        '<vault> --name <name> --query id -o tsv)',
    ),
    'a misspelt key': (
        {'adopt.azure.vault': True},
        F + 'adopt.azure.vault: unknown key (did you mean key_vault?)',
    ),
    'a Kubernetes object adopted with text': (
        {'adopt.eso.release': 'yes'},
        F + "adopt.eso.release 'yes': must be true or false",
    ),
    'a secrets officer that is no object ID': (
        {'adopt.azure.role_assignments.secrets_officers': {'alice': RA}},
        F + "adopt.azure.role_assignments.secrets_officers.alice 'alice': must be the object ID (a GUID) of "
        'one of key_vault.secrets_officers',
    ),
}

AGAINST_THE_CONFIGURATION = {
    'a resource group of another name': (
        {'adopt.azure.resource_group': f"/subscriptions/{SUB}/resourceGroups/secrets-rg"},
        F + 'adopt.azure.resource_group '
        "'/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/secrets-rg': names resource "
        "group 'secrets-rg', not azure.resource_group 'rg-test' (the one this file configures: adopting "
        'another would replace it)',
    ),
    'a resource group of another subscription': (
        {'azure.subscription_id': OTHER, 'adopt.azure.resource_group': RG},
        F + 'adopt.azure.resource_group '
        "'/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/rg-test': is in subscription"
        ' 5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17, not in azure.subscription_id '
        '99999999-9999-9999-9999-999999999999',
    ),
    'IDs of two subscriptions': (
        {'adopt.azure.resource_group': RG, 'adopt.azure.key_vault': VAULT.replace(SUB, OTHER)},
        F + "adopt.azure.key_vault '/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg-tes"
        "t/providers/Microsoft.KeyVault/vaults/kv-test': is in subscription "
        '99999999-9999-9999-9999-999999999999, but adopt.azure.resource_group is in '
        "5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17: an environment's Azure objects are in one subscription",
    ),
    'a vault of another name': (
        {'adopt.azure.key_vault': VAULT.replace('kv-test','mysecretskv')},
        F + "adopt.azure.key_vault '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/rg-tes"
        "t/providers/Microsoft.KeyVault/vaults/mysecretskv': names vault 'mysecretskv' in resource group "
        "'rg-test', not key_vault.name 'kv-test' in azure.resource_group 'rg-test'",
    ),
    'a role assignment on another vault': (
        {'adopt.azure.role_assignments.deployer_secrets_officer': RA.replace('kv-test','otherkv')},
        F + "adopt.azure.role_assignments.deployer_secrets_officer '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c"
        '4d8e9f0a17/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/otherkv/providers/Microsof'
        "t.Authorization/roleAssignments/33333333-3333-3333-3333-333333333333': is scoped to vault "
        "'otherkv' in resource group 'rg-test', not to key_vault.name 'kv-test' in azure.resource_group "
        "'rg-test' (the scope this configuration grants on)",
    ),
    'an application without its service principal': (
        {'adopt.azure.application': OBJECT},
        F + "adopt.azure.service_principal: is needed with adopt.azure.application: an application has one service "
        "principal, and the plan would try to create a second (az ad sp show --id <client ID> --query id)",
    ),
    'a service principal without its application': (
        {'adopt.azure.service_principal': OBJECT},
        F + "adopt.azure.application: is needed with adopt.azure.service_principal: the service principal belongs "
        "to an application; without it the plan creates a new application and replaces the adopted service "
        "principal (az ad app show --id <client ID> --query id)",
    ),
    "ESO's role assignment without its service principal": (
        {'adopt.azure.role_assignments.eso_secrets_user': RA},
        F + "adopt.azure.service_principal: is needed with adopt.azure.role_assignments.eso_secrets_user: the "
        "assignment's principal is ESO's service principal, so without it the adopted assignment is replaced by one "
        "for a new service principal",
    ),
    'one role assignment adopted twice': (
        {'adopt.azure.role_assignments.eso_secrets_user': RA, 'adopt.azure.role_assignments.deployer_secrets_officer': RA,
         'adopt.azure.application': OBJECT, 'adopt.azure.service_principal': "22222222-2222-2222-2222-222222222222"},
        F + "adopt.azure.role_assignments.deployer_secrets_officer '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c"
        '4d8e9f0a17/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test/providers/Microsof'
        "t.Authorization/roleAssignments/33333333-3333-3333-3333-333333333333': is also adopted as "
        'adopt.azure.role_assignments.eso_secrets_user: one role assignment can be taken over once',
    ),
    'one object ID as application and service principal': (
        {'adopt.azure.application': OBJECT, 'adopt.azure.service_principal': OBJECT},
        F + "adopt.azure.service_principal '11111111-1111-1111-1111-111111111111': is also adopted as "
        'adopt.azure.application: one Entra ID object can be taken over once',
    ),
    'an application with workload identity': (
        {**WORKLOAD_IDENTITY, 'adopt.azure.application': OBJECT},
        F + "adopt.azure.application '11111111-1111-1111-1111-111111111111': is not managed by this "
        "configuration: with eso.auth 'workload_identity' ESO signs in as a managed identity this project"
        ' creates, not as an application; leave it out (the application made by hand is left alone: '
        'delete it once ESO reads through the new identity)',
    ),
    'an application when every app is isolated': (
        {'apps.myapp': {'isolation': 'isolated'}, 'adopt.azure.application': OBJECT},
        F + "adopt.azure.application '11111111-1111-1111-1111-111111111111': is not managed by this "
        'configuration: no app shares the ClusterSecretStore, so ESO has no identity of its own (each '
        'isolated app signs in as its own)',
    ),
    "ESO's role assignment with workload identity": (
        {**WORKLOAD_IDENTITY, 'adopt.azure.role_assignments.eso_secrets_user': RA},
        F + "adopt.azure.role_assignments.eso_secrets_user '/subscriptions/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a"
        '17/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test/providers/Microsoft.Author'
        "ization/roleAssignments/33333333-3333-3333-3333-333333333333': is not managed by this "
        "configuration: with eso.auth 'workload_identity' ESO's identity is a managed identity this "
        'project creates, so no existing assignment can be its',
    ),
    'a secrets officer the vault does not list': (
        {'adopt.azure.role_assignments.secrets_officers': {'44444444-4444-4444-4444-444444444444': RA}},
        F + "adopt.azure.role_assignments.secrets_officers.44444444-4444-4444-4444-444444444444 '/subscriptio"
        'ns/5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaul'
        'ts/kv-test/providers/Microsoft.Authorization/roleAssignments/33333333-3333-3333-3333-33333333333'
        "3': is not one of key_vault.secrets_officers (none): add it there, or leave it out",
    ),
    'a vault secret no app declares': (
        {**APP, 'adopt.secrets': {'myapp-db-user': SECRET.replace('db-host','db-user')}},
        F + 'adopt.secrets.myapp-db-user: is not a vault secret of this configuration (declared: '
        "myapp-db-host): declare it in the app's static_secrets, random_secrets or sensitive_secrets (key"
        ' <key> of app <app> is vault secret <app>-<key>), or leave it out',
    ),
    'one vault secret adopted twice, in two cases': (
        {**APP, 'adopt.secrets': {'myapp-db-host': SECRET, 'MyApp-db-host': SECRET.replace('myapp', 'MyApp')}},
        F + "adopt.secrets.MyApp-db-host 'https://kv-test.vault.azure.net/secrets/MyApp-db-host/0123456789abcdef0"
        "123456789abcdef': is also adopted as adopt.secrets.myapp-db-host: one vault secret can be taken over once "
        "(Key Vault secret names ignore case)",
    ),
    'a vault secret of another vault': (
        {**APP, 'adopt.secrets': {'myapp-db-host': SECRET.replace('kv-test','otherkv')}},
        F + 'adopt.secrets.myapp-db-host '
        "'https://otherkv.vault.azure.net/secrets/myapp-db-host/0123456789abcdef0123456789abcdef': is in "
        "vault 'otherkv', not in key_vault.name 'kv-test'",
    ),
    'a vault secret ID of another name': (
        {**APP, 'adopt.secrets': {'myapp-db-host': SECRET.replace('db-host','db-name')}},
        F + 'adopt.secrets.myapp-db-host '
        "'https://kv-test.vault.azure.net/secrets/myapp-db-name/0123456789abcdef0123456789abcdef': is the"
        " ID of vault secret 'myapp-db-name', not of 'myapp-db-host'",
    ),
    'a credentials Secret with workload identity': (
        {**WORKLOAD_IDENTITY, 'adopt.eso.credentials_secret': True},
        F + 'adopt.eso.credentials_secret true: is not managed by this configuration: with eso.auth '
        "'workload_identity' ESO signs in without a Secret; delete the Secret made by hand once ESO reads"
        ' through the new identity',
    ),
    'the namespace of an unknown app': (
        {'adopt.eso.app_namespaces': ['shop']},
        F + "adopt.eso.app_namespaces[0] 'shop': is not an app of this file (apps: myapp)",
    ),
    'the namespace of an app without create_namespace': (
        {'adopt.eso.app_namespaces': ['myapp']},
        F + "adopt.eso.app_namespaces[0] 'myapp': is not managed by this configuration: "
        "apps.myapp.create_namespace is false, so eso-test leaves namespace 'myapp' alone; set it to "
        'true, or leave it out',
    ),
    'one app namespace listed twice': (
        {'apps.myapp.create_namespace': True, 'adopt.eso.app_namespaces': ['myapp','myapp']},
        F + "adopt.eso.app_namespaces 'myapp': is listed twice",
    ),
    "an app namespace that is ESO's adopted namespace": (
        {'apps.myapp': {'create_namespace': True, 'namespace': 'external-secrets'}, 'adopt.eso.namespace': True, 'adopt.eso.app_namespaces': ['myapp']},
        F + "adopt.eso.app_namespaces[0] 'myapp': is also adopted as adopt.eso.namespace: one namespace can "
        'be taken over once',
    ),
    'two apps sharing one adopted namespace': (
        {'apps': {'api': {'namespace': 'shop', 'create_namespace': True}, 'web': {'namespace': 'shop', 'create_namespace': True}}, 'adopt.eso.app_namespaces': ['api','web']},
        F + "adopt.eso.app_namespaces[1] 'web': is also adopted as adopt.eso.app_namespaces[0]: one namespace"
        ' can be taken over once',
    ),
    'the ClusterSecretStore with GitOps delivery': (
        {**GITOPS, 'adopt.eso_config.cluster_secret_store': True},
        F + 'adopt.eso_config.cluster_secret_store true: is not managed by Terraform: with delivery.mode '
        "'gitops' Argo CD applies the ClusterSecretStore; let Argo CD adopt it (a synced manifest of the "
        'same name takes the object over)',
    ),
    'the ClusterSecretStore when every app is isolated': (
        {'apps.myapp': {'isolation': 'isolated'}, 'adopt.eso_config.cluster_secret_store': True},
        F + 'adopt.eso_config.cluster_secret_store true: is not managed by this configuration: no app shares '
        'the ClusterSecretStore',
    ),
    'the ExternalSecret of an app without secrets': (
        {'adopt.apps.external_secrets': ['myapp']},
        F + "adopt.apps.external_secrets[0] 'myapp': is not managed by this configuration: app 'myapp' "
        'declares no secrets and no certificates, so it has no ExternalSecret',
    ),
    'the ExternalSecret of an unknown app': (
        {'adopt.apps.external_secrets': ['shop']},
        F + "adopt.apps.external_secrets[0] 'shop': is not an app of this file (apps: myapp)",
    ),
}


# (test id, changes, message): tests/config/test_schema.py checks that the schema refuses each of these too.
REJECTED = [(case_id, changes, message) for case_id, (changes, message) in SHAPES.items()]


@pytest.mark.parametrize(("changes", "message"), SHAPES.values(), ids=SHAPES.keys())
def test_an_adopted_id_of_the_wrong_shape_is_refused_with_file_field_value_and_shape(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message


@pytest.mark.parametrize(("changes", "message"), AGAINST_THE_CONFIGURATION.values(),
                         ids=AGAINST_THE_CONFIGURATION.keys())
def test_adopting_what_the_configuration_does_not_make_is_refused_with_the_reason(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message
