"""Terraform ``import`` blocks for what an environment adopts (``adopt:``, config/adoption.py).

A resource given an import ID gets ``import { to = <its address>, id = <ID> }`` (CDKTF's ``import_from``): its
stack's first plan reads the object and plans an in-place update to what the configuration says, instead of a
create that fails with "already exists". Once the object is in the state the block does nothing, so it may stay
in the file (https://developer.hashicorp.com/terraform/language/import).

Kubernetes objects are named by the configuration, so their import IDs are derived here from the same names the
resources are given, in each provider's documented form:
* ``kubernetes_namespace_v1``: ``<name>``; ``kubernetes_secret_v1``: ``<namespace>/<name>``;
* ``helm_release``: ``<namespace>/<release name>``;
* ``kubernetes_manifest``: ``apiVersion=<v>,kind=<k>[,namespace=<ns>],name=<n>``
  (https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/manifest#import).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from cdk import TerraformResource

R = TypeVar("R", bound=TerraformResource)


def import_existing(resource: R, import_id: str | None) -> R:
    """``resource`` with an import block for ``import_id`` (none when it is None). Returns ``resource``."""
    if import_id is not None:
        resource.import_from(import_id)
    return resource


def namespaced_id(namespace: str, name: str) -> str:
    """The import ID of a namespaced object of the kubernetes provider, or of a Helm release."""
    return f"{namespace}/{name}"


def manifest_import_id(manifest: Mapping[str, Any]) -> str:
    """The import ID of a ``kubernetes_manifest`` holding ``manifest`` (its apiVersion, kind, namespace, name)."""
    metadata = manifest["metadata"]
    parts = [f"apiVersion={manifest['apiVersion']}", f"kind={manifest['kind']}"]
    if metadata.get("namespace"):
        parts.append(f"namespace={metadata['namespace']}")
    parts.append(f"name={metadata['name']}")
    return ",".join(parts)
