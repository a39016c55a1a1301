"""Names this project derives from user input for Azure and Kubernetes objects, kept within their limits.

A derived name that fits is used as it is; one that does not is cut and ends in a short hash of the whole name
(:func:`within`), so it is deterministic, distinct for distinct inputs, and a name that fitted never changes.
"""

from __future__ import annotations

import hashlib

# Federated identity credentials: 3-120 characters, ^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$
# https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity
FEDERATED_CREDENTIAL_NAME_MAX = 120
_HASH_LENGTH = 8


def within(name: str, limit: int) -> str:
    """``name`` if it has at most ``limit`` characters; otherwise its first characters, ``-`` and 8 hex digits of
    its SHA-256, ``limit`` characters in all."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_LENGTH]
    return f"{name[: limit - _HASH_LENGTH - 1].rstrip('-_')}-{digest}"


def federated_credential_name(namespace: str, service_account: str) -> str:
    """``<namespace>-<service account>``, within Azure's 120 characters (both parts are Kubernetes names of up to
    63 characters, so the joined name can reach 127)."""
    return within(f"{namespace}-{service_account}", FEDERATED_CREDENTIAL_NAME_MAX)
