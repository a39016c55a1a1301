"""Environment files no example resembles, written into a folder for the gates to run against.

The gates (tests/quality/) run over the example environments and over this set, through the same fixtures: a
gate that holds only for `dev` and `prod` fails here. The set is varied on purpose; each file says what it adds.
Values are valid, look like no secret, and every vault name is unique, so the set stays valid as rules tighten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TENANT = "22222222-2222-2222-2222-222222222222"
SUBNETS = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net-rg/providers/Microsoft.Network"
OIDC_ISSUER = "https://northeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/33333333/"

# A dev-like environment (open firewall, no private endpoint, secrets without expiry, local state) that signs in
# with workload identity; several apps with every kind of secret, shared and isolated, delivered by Terraform.
QA2: dict[str, Any] = {
    "azure": {"location": "northeurope", "resource_group": "rg-qa2-secrets", "tags": {"team": "payments"}},
    "key_vault": {
        "name": "kv-qa2-generated",
        "soft_delete_retention_days": 7,
        "network_acls": {"default_action": "Allow"},
        # Audit log asked for although the firewall is open; the shortest retention Azure allows.
        "audit_logs": {"enabled": True, "workspace_retention_days": 30},
        # Expiry alerts to a webhook whose URL is a sensitive variable (secrets may be in this environment's state).
        "expiry_notifications": {"webhook_receivers": {"oncall": {"variable": "qa2_oncall_webhook_url"}}},
    },
    "eso": {
        "auth": "workload_identity",
        "restrict_to_app_namespaces": True,
        # Alerts through Terraform delivery, for a Prometheus that selects rules by a label of its own.
        "service_monitor_enabled": True,
        "alerts": {"rule_labels": {"prometheus": "platform", "team": "payments"}},
    },
    "cluster": {"context": "aks-qa2", "oidc_issuer_url": OIDC_ISSUER},
    "apps": {
        "billing": {
            "namespace": "billing",
            "create_namespace": True,
            "static_secrets": {"db-host": "billing-db.billing.svc.cluster.local", "db-user": "billing"},
            "random_secrets": {"db-password": {}},
            "sensitive_secrets": {"payment-api-key": {"variable": "billing_payment_api_key"}},
            "external_secret": {
                "refresh_interval": "15m",
                "data": {
                    "DB_HOST": "db-host",
                    "DB_USER": "db-user",
                    "DB_PASSWORD": "db-password",
                    "PAYMENT_API_KEY": "payment-api-key",
                    "API_URL": "db-host",
                },
                "template": {"DSN": "postgres://{{ .DB_USER }}:{{ .DB_PASSWORD }}@{{ .DB_HOST }}/billing"},
            },
            # A PEM certificate through the ClusterSecretStore, read every 6 hours.
            "certificates": {"billing-tls": {"content_type": "pem", "refresh_interval": "6h"}},
        },
        "reports": {
            "isolation": "isolated",
            "static_secrets": {"bucket-name": "reports-archive"},
            "random_secrets": {"signing-key": {"length": 64, "special": False, "min_special": 0}},
            # Read once, when the Secret is created; a type of the team's own; labels on the Secret.
            "external_secret": {
                "refresh_policy": "CreatedOnce",
                "secret_type": "example.com/report-signing",
                "secret_labels": {"team": "reports"},
            },
        },
        "notifier": {
            "namespace": "notifier",
            "sensitive_secrets": {"smtp-password": {"variable": "notifier_smtp_password"}},
            # Synced when the ExternalSecret changes; Reloader restarts the Deployment when the Secret does.
            "external_secret": {
                "refresh_policy": "OnChange",
                "secret_annotations": {"reloader.stakater.com/match": "true"},
            },
        },
    },
    "backend": {"type": "local"},
    "delivery": {"mode": "terraform"},
}

# Hardened like the prod example but otherwise unlike it: a service principal, HCP Terraform state, GitOps
# delivery, a firewall limited to a subnet, a private endpoint, every secret with an expiry date.
EDGE: dict[str, Any] = {
    "azure": {"location": "westus2", "resource_group": "rg-edge", "tenant_id": TENANT},
    "key_vault": {
        "name": "kv-edge-generated",
        "purge_protection_enabled": True,
        "network_acls": {
            "default_action": "Deny",
            "bypass": "None",
            "virtual_network_subnet_ids": [f"{SUBNETS}/virtualNetworks/edge/subnets/nodes"],
        },
        "private_endpoint": {"subnet_id": f"{SUBNETS}/virtualNetworks/edge/subnets/endpoints"},
        "write_only_secrets": True,
        # An existing workspace, and expiry alerts by email (no webhook: its URL would be kept in state).
        "audit_logs": {"workspace_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-logs/"
                                       "providers/Microsoft.OperationalInsights/workspaces/log-central-edge"},
        "expiry_notifications": {"email_receivers": {"oncall": "oncall-edge@example.org"}},
    },
    # Write-only secrets need workload identity: a service principal's client secret would be kept in state.
    "eso": {"auth": "workload_identity", "workload_identity": {"identity_name": "id-eso-edge"}},
    "cluster": {"context": "edge", "oidc_issuer_url": OIDC_ISSUER},
    "apps": {
        "storefront": {
            "static_secrets": {
                "cdn-host": {"value": "cdn.example.org", "expiration_date": "2028-01-31T00:00:00Z"},
            },
            "random_secrets": {
                "session-key": {"version": 2, "content_type": "opaque", "expiration_date": "2028-01-31T00:00:00Z"},
            },
            "sensitive_secrets": {
                "search-api-key": {"variable": "storefront_search_api_key", "expiration_date": "2028-01-31T00:00:00Z"},
            },
        },
        "ledger": {
            "isolation": "isolated",
            "random_secrets": {"db-password": {"expiration_date": "2028-01-31T00:00:00Z"}},
            "external_secret": {"target_name": "ledger-db", "data": {"PGPASSWORD": "db-password"}},
            # An imported certificate (PKCS#12, Key Vault's default) as a kubernetes.io/tls Secret; isolated, so a
            # role assignment on its backing secret alone.
            "certificates": {"ledger-api-tls": {"target_name": "ledger-tls"}},
        },
    },
    "backend": {"type": "cloud", "organization": "generated-org", "workspace_prefix": "gen", "project": "gates"},
    "delivery": {"mode": "gitops", "repo_url": "https://git.example.org/platform/secrets.git"},
}

# Purge protection off and a firewall that denies with no rule: the checks that follow from those settings fail
# here and only here. An azurerm backend; one app with a single static secret.
LAB7: dict[str, Any] = {
    "azure": {"location": "westeurope", "resource_group": "rg-lab7"},
    "key_vault": {"name": "kv-lab7-generated", "purge_protection_enabled": False, "prevent_destroy": False},
    "eso": {"auth": "service_principal"},
    "cluster": {"context": "lab7"},
    "apps": {"inventory": {"static_secrets": {"api-url": "https://inventory.example.org/v2"}}},
    "backend": {
        "type": "azurerm",
        "resource_group_name": "rg-tfstate",
        "storage_account_name": "sttfstategenerated",
    },
}

# Placeholders of the shape `az` prints; tests/terraform/test_adoption.py replaces them with what a deployment of
# the same file without `adopt` created, as a user copies them from the old state.
MIG_SUBSCRIPTION = "44444444-4444-4444-4444-444444444444"
MIG_VAULT = (f"/subscriptions/{MIG_SUBSCRIPTION}/resourceGroups/rg-mig/providers/Microsoft.KeyVault/vaults/"
             "kv-mig-generated")
MIG_OFFICER = "55555555-5555-5555-5555-555555555555"


def _assignment(number: int) -> str:
    return f"{MIG_VAULT}/providers/Microsoft.Authorization/roleAssignments/{number:08d}-0000-0000-0000-000000000000"


def _vault_secret(name: str) -> str:
    return f"https://kv-mig-generated.vault.azure.net/secrets/{name}/{'0' * 31}{len(name) % 10}"


# Taken over from a manual setup: every object this configuration makes and the manual steps made too is adopted
# (a service principal with its role assignments, vault secrets of each kind, ESO's namespace, release and
# credentials Secret under keys of its own, an app namespace, the ClusterSecretStore, ExternalSecrets under the
# names they had). The apps are shared; the vault has an extra Secrets Officer.
MIG: dict[str, Any] = {
    "azure": {"location": "westeurope", "resource_group": "rg-mig"},
    "key_vault": {
        "name": "kv-mig-generated",
        "network_acls": {"default_action": "Allow"},
        "secrets_officers": [MIG_OFFICER],
    },
    "eso": {
        "auth": "service_principal",
        "service_principal": {
            "display_name": "eso-mig",
            "credentials_secret": {"name": "eso-sp", "client_id_key": "clientId", "client_secret_key": "clientSecret"},
        },
        "restrict_to_app_namespaces": False,
    },
    "cluster": {"context": "mig"},
    "apps": {
        "myapp": {
            "namespace": "myapp",
            "create_namespace": True,
            "static_secrets": {"db-username": "myapp", "db-host": "postgres.myapp.svc.cluster.local"},
            "random_secrets": {"db-password": {}},
            "external_secret": {"name": "myapp-db-credentials", "target_name": "myapp-db-credentials"},
        },
        "worker": {"sensitive_secrets": {"queue-token": {"variable": "worker_queue_token"}}},
    },
    "adopt": {
        "azure": {
            "resource_group": True,
            "key_vault": MIG_VAULT,
            "application": "66666666-6666-6666-6666-666666666666",
            "service_principal": "/servicePrincipals/77777777-7777-7777-7777-777777777777",
            "role_assignments": {
                "eso_secrets_user": _assignment(1),
                "deployer_secrets_officer": _assignment(2),
                "secrets_officers": {MIG_OFFICER: _assignment(3)},
            },
        },
        "secrets": {name: _vault_secret(name) for name in (
            "myapp-db-username", "myapp-db-host", "myapp-db-password", "worker-queue-token")},
        "eso": {"namespace": True, "release": True, "credentials_secret": True, "app_namespaces": ["myapp"]},
        "eso_config": {"cluster_secret_store": True},
        "apps": {"external_secrets": ["myapp", "worker"]},
    },
    "backend": {"type": "local"},
    "delivery": {"mode": "terraform"},
}

GENERATED: dict[str, dict[str, Any]] = {"qa2": QA2, "edge": EDGE, "lab7": LAB7, "mig": MIG}


def write_generated_environments(directory: Path) -> Path:
    """``<directory>/<env>.yaml`` for each generated environment; returns ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in GENERATED.items():
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return directory
