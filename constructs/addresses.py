"""Terraform addresses: readable names from the construct path, and what each resource was called before.

**The rule.** A resource's name (``azurerm_key_vault.<name>``) is its construct path below the stack, the IDs
joined with ``_``. A child with the ID ``Default`` is its construct's own resource and takes the construct's name
(cdktf's convention: ``node.default_child``). So ``key_vault/Default`` is ``key_vault``,
``key_vault/private_endpoint`` is ``key_vault_private_endpoint``. cdktf's own scheme appends a hash of the path to
every nested name (``key_vault_15104185``); the stack (:class:`stacks.base.EnvironmentStack`) allocates these
names instead, and Terraform ``moved`` blocks carry existing state over (:func:`moved_blocks`).

**Names users choose never meet the project's.** Everything made from a user's name (an app, a secret key) lives
below the stack's construct ``app`` (:func:`app_scope`): ``app/<app>/...``. No other construct at the stack level
is called ``app`` or starts with ``app_``. Construct IDs therefore cannot collide (an app may be called ``backend``,
``azurerm`` or ``eso``), and neither can names: a user's name contains no ``_`` (app names are Kubernetes names,
secret keys letters, digits and dashes), so ``app_<app>_...`` is read back in one way only. The stack refuses two
elements with the same name anyway (:class:`NameRegistry`), so a mistake in the project's own IDs fails loudly
instead of one resource silently replacing another in the JSON.

**Where a resource was before.** :func:`formerly` records a construct's former place (its former ID, several IDs
when it was nested differently, none for a construct that did not exist); :func:`former_name` gives the name
cdktf 0.21 allocated at that place.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from cdk import Construct, TerraformDataSource, TerraformOutput, TerraformResource, TerraformVariable

APPS = "app"
DEFAULT = "Default"

_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]")
# cdktf 0.21's limits (lib/private/unique.ts); Terraform itself has none, but the names stay within them.
_MAX_NAME = 255
_MAX_HUMAN = 240
_FORMER_IDS = "_former_ids"


def apps_scope(stack: Construct) -> Construct:
    """The construct ``app`` of ``stack``, whose children are named after the apps (made on first use; it did not
    exist before)."""
    return stack.node.try_find_child(APPS) or formerly(Construct(stack, APPS))


def app_scope(stack: Construct, app_name: str) -> Construct:
    """The construct ``app/<app_name>`` of ``stack``, below which everything of that app is made (made on first
    use). Neither existed before; what is made below records its own former ID."""
    apps = apps_scope(stack)
    return apps.node.try_find_child(app_name) or formerly(Construct(apps, app_name))


def formerly(construct: Construct, *ids: str) -> Construct:
    """Record that ``construct`` was at ``ids`` below its parent's former place (none: it did not exist, its
    children were directly in the parent's place). Returns ``construct``."""
    setattr(construct, _FORMER_IDS, tuple(ids))
    return construct


def _ids_below_stack(element: Construct, stack: Construct, path: str | None = None) -> list[str]:
    """The construct IDs from ``stack`` (exclusive) down to ``element``, read from one path string: every jsii
    property read is a round trip to Node.js, and a large configuration has thousands of elements. Construct IDs
    cannot contain the path separator (the constructs library replaces it)."""
    path, prefix = path or element.node.path, _stack_path(stack) + "/"
    if not path.startswith(prefix):
        raise ValueError(f"{path} is not below the stack {prefix[:-1]}")
    return path[len(prefix) :].split("/")


def _stack_path(stack: Construct) -> str:
    path = getattr(stack, "_addresses_path", None)
    if path is None:
        path = stack.node.path
        setattr(stack, "_addresses_path", path)
    return path




def terraform_name(ids: list[str]) -> str:
    """The name of the element at construct path ``ids`` below its stack (see the module docstring)."""
    name = "_".join(_DISALLOWED.sub("", part) for part in ids if part != DEFAULT)
    if len(name) > _MAX_NAME:
        name = f"{name[:_MAX_HUMAN]}_{_path_hash(ids)}"
    return name


def cdktf_name(ids: list[str]) -> str:
    """The name cdktf 0.21 gives the element at construct path ``ids`` (``makeUniqueId`` in lib/private/unique.ts):
    a top-level ID as it is, a nested path as its IDs without repeats, joined by ``_``, and a hash of the path."""
    ids = [part for part in ids if part != DEFAULT]
    if len(ids) == 1 and len(_DISALLOWED.sub("", ids[0])) <= _MAX_NAME:
        return _DISALLOWED.sub("", ids[0])
    human: list[str] = []
    for part in ids:
        if not human or not human[-1].endswith(part):
            human.append(part)
    readable = "_".join(_DISALLOWED.sub("", part) for part in human if part != "Resource")[:_MAX_HUMAN]
    return f"{readable}_{_path_hash(ids)}"


def _path_hash(ids: list[str]) -> str:
    return hashlib.md5("/".join(ids).encode()).hexdigest()[:8].upper()


def former_name(element: Construct, stack: Construct, ids: list[str] | None = None) -> str:
    """The name cdktf allocated to ``element`` before this naming scheme, at its former place (``ids``: its
    construct IDs below ``stack``, when known)."""
    ids = ids or _ids_below_stack(element, stack)
    scopes = list(element.node.scopes)[-len(ids) :]
    former: list[str] = []
    for scope, own_id in zip(scopes, ids):
        former.extend(getattr(scope, _FORMER_IDS, (own_id,)))
    return cdktf_name(former)


def stack_resources(stack: Construct) -> Iterator[TerraformResource]:
    for construct in stack.node.find_all():
        if isinstance(construct, TerraformResource):
            yield construct


def moved_blocks(stack: Construct, names: NameRegistry | None = None) -> list[dict[str, str]]:
    """A ``moved`` block for every resource of ``stack`` whose address is not the one cdktf gave it before, so
    Terraform carries existing state to the new address instead of replacing the resource
    (https://developer.hashicorp.com/terraform/language/modules/develop/refactoring#moved-block-syntax).
    A block whose former address is in no state is a no-op. ``names``: the stack's registry, which knows the
    names and construct IDs it allocated (asking Node.js again costs a round trip per property)."""
    resources = []
    for resource in stack_resources(stack):
        known = names.allocated(resource) if names else None
        if known:
            name, ids, namespace = known
            resources.append((resource, namespace.removeprefix("resource ") + ".", name, ids))
        else:
            resources.append((resource, f"{resource.terraform_resource_type}.", resource.friendly_unique_id, None))
    addresses = {kind + name for _, kind, name, _ in resources}
    blocks = []
    for resource, kind, name, ids in resources:
        to, source = kind + name, kind + former_name(resource, stack, ids)
        if source == to:
            continue
        if source in addresses:
            raise ValueError(f"{resource.node.path}: its former address {source} is the address of another resource")
        blocks.append({"from": source, "to": to})
    return sorted(blocks, key=lambda block: block["to"])


def _namespace(element: Any) -> str:
    """Which of Terraform's name spaces an element's name lives in."""
    if isinstance(element, TerraformResource):
        return f"resource {element.terraform_resource_type}"
    if isinstance(element, TerraformDataSource):
        return f"data {element.terraform_resource_type}"
    if isinstance(element, TerraformOutput):
        return "output"
    if isinstance(element, TerraformVariable):
        return "variable"
    return type(element).__name__


class NameRegistry:
    """The names a stack has given, to refuse a second element with the same name in the same name space."""

    def __init__(self) -> None:
        self._paths: dict[tuple[str, str], str] = {}
        # id(element) -> (element, its name, its construct IDs below the stack); the element is kept so that its
        # id() is not reused.
        self._allocated: dict[int, tuple[Any, str, list[str], str]] = {}

    def allocate(self, element: Any, stack: Construct) -> str:
        path = element.node.path
        ids = _ids_below_stack(element, stack, path)
        name = terraform_name(ids)
        key = (_namespace(element), name)
        other = self._paths.setdefault(key, path)
        if other != path:
            raise ValueError(f"{path} and {other} would both be {key[0]} {name!r} in the Terraform JSON")
        self._allocated[id(element)] = (element, name, ids, key[0])
        return name

    def allocated(self, element: Any) -> tuple[str, list[str], str] | None:
        """The name, construct IDs and name space (``resource <type>``, ...) given to ``element``, if this registry
        named it."""
        known = self._allocated.get(id(element))
        return (known[1], known[2], known[3]) if known and known[0] is element else None
