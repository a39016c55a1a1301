"""The ``type`` of the Kubernetes Secret an ExternalSecret writes, and the keys each built-in type requires.

https://kubernetes.io/docs/concepts/configuration/secret/#secret-types: the API server refuses a Secret of a
built-in type without its required keys, so ESO's sync would fail on the cluster; checked here, where the file is.
"""

from __future__ import annotations

from config.reader import text

# Built-in type -> (keys it requires, how many of them at least). basic-auth needs username or password.
REQUIRED_KEYS: dict[str, tuple[tuple[str, ...], int]] = {
    "Opaque": ((), 0),
    "kubernetes.io/tls": (("tls.crt", "tls.key"), 2),
    "kubernetes.io/dockerconfigjson": ((".dockerconfigjson",), 1),
    "kubernetes.io/dockercfg": ((".dockercfg",), 1),
    "kubernetes.io/basic-auth": (("username", "password"), 1),
    "kubernetes.io/ssh-auth": (("ssh-privatekey",), 1),
    "bootstrap.kubernetes.io/token": (("token-id", "token-secret"), 2),
}
# Written by Kubernetes' token controller for a service account, never synced from a vault.
REFUSED = {"kubernetes.io/service-account-token"}

SECRET_TYPE_RULE = (
    f"a Kubernetes Secret type: one of {', '.join(REQUIRED_KEYS)}, or a type of your own named '<domain>/<name>' "
    "(such as 'example.com/api-token')"
)
_CUSTOM = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"


def _check_type(value: str) -> str | None:
    if value in REFUSED:
        return ("is written by Kubernetes' token controller for a service account, not synced from a vault: use "
                f"{SECRET_TYPE_RULE[len('a Kubernetes Secret type: '):]}")
    if value.startswith(("kubernetes.io/", "bootstrap.kubernetes.io/")) and value not in REQUIRED_KEYS:
        return f"is not a built-in type of Kubernetes: must be {SECRET_TYPE_RULE}"
    return None


SecretType = text(SECRET_TYPE_RULE, rf"^(Opaque|{_CUSTOM})$", check=_check_type)


def missing_keys(secret_type: str, keys: set[str]) -> str | None:
    """What ``keys`` of a Secret of ``secret_type`` lack, said as a rule; None when nothing is missing."""
    required, at_least = REQUIRED_KEYS.get(secret_type, ((), 0))
    if sum(key in keys for key in required) >= at_least:
        return None
    wanted = " and ".join(f"'{key}'" for key in required) if at_least == len(required) else (
        " or ".join(f"'{key}'" for key in required))
    return (f"a Secret of type {secret_type} needs the key(s) {wanted} (Kubernetes refuses it otherwise); this "
            f"ExternalSecret writes {', '.join(sorted(keys)) or 'none'}: map them in data or template")
