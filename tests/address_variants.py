"""Environments that together make every kind of stateful resource the stacks can hold, for the test that the
moved blocks cover every address that changed (tests/stacks/test_addresses.py).

``python tests/address_variants.py OUT.json`` writes each variant's resource addresses by stack; run with
the project before a change of names to pin the former addresses (tests/stacks/addresses_before_readable_names.json was written
by the project at b65d292, before the readable names).
"""

from __future__ import annotations

SECRETS = {
    "static_secrets": {"db-host": "postgres", "db-name": {"value": "myapp", "content_type": "text/plain"}},
    "random_secrets": {"db-password": {}, "api-token": {"length": 40, "version": 2}},
    "sensitive_secrets": {"stripe-key": {"variable": "myapp_stripe_key"}},
}
WORKLOAD_IDENTITY = {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"}
SECOND_APP = {"billing": {"namespace": "billing", "create_namespace": True, "random_secrets": {"signing-key": {}}}}

VARIANTS: dict[str, dict] = {
    "shared-service-principal": {
        "apps": {"myapp": {"create_namespace": True, **SECRETS}, **SECOND_APP},
        "key_vault.secrets_officers": ["22222222-2222-2222-2222-222222222222"],
    },
    "shared-workload-identity": {**WORKLOAD_IDENTITY, "apps": {"myapp": SECRETS, **SECOND_APP}},
    "isolated-service-principal": {
        "eso.app_isolation": "isolated",
        "apps": {"myapp": {"create_namespace": True, **SECRETS}, **SECOND_APP},
    },
    "isolated-workload-identity": {
        **WORKLOAD_IDENTITY,
        "eso.app_isolation": "isolated",
        "key_vault.write_only_secrets": True,
        "key_vault.private_endpoint": {
            "subnet_id": (
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
                "Microsoft.Network/virtualNetworks/vnet/subnets/endpoints"
            )
        },
        "apps": {"myapp": {"create_namespace": True, **SECRETS}, **SECOND_APP},
    },
}


def addresses(synthesized: dict) -> dict[str, list[str]]:
    """Every stack's resource addresses (``type.name``), sorted."""
    return {
        stack: sorted(f"{kind}.{name}" for kind, found in body.get("resource", {}).items() for name in found)
        for stack, body in synthesized.items()
        if stack != "manifest.json"
    }


if __name__ == "__main__":
    import json
    import sys
    import tempfile
    from pathlib import Path

    root = Path.cwd()
    sys.path[:0] = [str(root), str(root / "constructs"), str(root / "tests")]
    from support import make_env, synth_app

    pinned = {}
    for name, changes in VARIANTS.items():
        with tempfile.TemporaryDirectory() as outdir:
            pinned[name] = addresses(synth_app([make_env(changes)], Path(outdir)))
    Path(sys.argv[1]).write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n")
