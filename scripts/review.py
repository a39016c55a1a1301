"""Print what a synth will deploy, as Markdown tables to paste into a pull request.

    python scripts/review.py                      # cdktf.out/ and manifests/ of the project
    python scripts/review.py --outdir DIR --manifests DIR

Reads the synthesized Terraform JSON (``cdktf.out``) and the GitOps manifests (``manifests/<env>/``), never the
Python that produced them, so the tables show exactly what Terraform and the cluster receive. Per environment:

* per stack, every resource (and ephemeral resource) with the settings a reviewer checks (vault hardening, role,
  principal and scope of each role assignment, chart versions, a generated secret's alphabet and rotation
  version, ...), its backend, variables and outputs;
* per app, which Key Vault secrets reach which namespace, in which Kubernetes Secret, under which keys: read from
  ExternalSecret and ClusterExternalSecret objects in ``kubernetes_manifest`` resources and in
  ``manifests/<env>/**/*.yaml``.

Secret values are never printed: only settings named below are shown, and synthesized files hold references.
Stacks are named ``<kind>-<env>``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent

# The settings shown per resource type (dotted paths into the resource's JSON). A type not listed shows its name.
SETTINGS: dict[str, tuple[str, ...]] = {
    "azurerm_resource_group": ("name", "location"),
    "azurerm_key_vault": (
        "name",
        "sku_name",
        "rbac_authorization_enabled",
        "purge_protection_enabled",
        "soft_delete_retention_days",
        "public_network_access_enabled",
        "network_acls.default_action",
        "network_acls.bypass",
        "network_acls.ip_rules",
        "network_acls.virtual_network_subnet_ids",
        "lifecycle.prevent_destroy",
    ),
    # value_wo_version: the rotation of a write-only value (a new version writes a new value).
    "azurerm_key_vault_secret": (
        "name",
        "key_vault_id",
        "content_type",
        "expiration_date",
        "not_before_date",
        "value_wo_version",
    ),
    "azurerm_role_assignment": (
        "role_definition_name",
        "role_definition_id",
        "principal_id",
        "principal_type",
        "scope",
    ),
    "azurerm_user_assigned_identity": ("name",),
    "azurerm_federated_identity_credential": ("name", "issuer", "subject", "audience"),
    "azuread_application": ("display_name",),
    "azuread_service_principal": ("client_id",),
    "azuread_application_password": ("display_name", "end_date", "rotate_when_changed"),
    "time_static": ("triggers",),
    "time_sleep": ("create_duration",),
    # override_special: the special characters allowed (special: true draws only from these); keepers.version:
    # the rotation (a new version generates a new value).
    "random_password": ("length", "special", "override_special", "min_special", "keepers.version"),
    "helm_release": (
        "name",
        "chart",
        "version",
        "repository",
        "namespace",
        "create_namespace",
        "atomic",
        "values:flattened",
    ),
    "kubernetes_manifest": (
        "manifest.apiVersion",
        "manifest.kind",
        "manifest.metadata.namespace",
        "manifest.metadata.name",
        # ClusterSecretStore / SecretStore
        "manifest.spec.provider.azurekv.vaultUrl",
        "manifest.spec.provider.azurekv.authType",
        "manifest.spec.conditions",
    ),
    "kubernetes_namespace": ("metadata.name",),
    "kubernetes_namespace_v1": ("metadata.name",),
    "kubernetes_secret": ("metadata.namespace", "metadata.name", "type", "data:references"),
    "kubernetes_secret_v1": ("metadata.namespace", "metadata.name", "type", "data:references"),
    "kubernetes_service_account": ("metadata.namespace", "metadata.name", "metadata.annotations"),
    "kubernetes_service_account_v1": ("metadata.namespace", "metadata.name", "metadata.annotations"),
    # HCP Terraform (stack hcp-<env>)
    "azuread_application_federated_identity_credential": ("display_name", "issuer", "subject", "audiences"),
    "tfe_workspace": ("name", "project_id", "terraform_version"),
    "tfe_workspace_settings": (
        "workspace_id",
        "execution_mode",
        "agent_pool_id",
        "global_remote_state",
        "remote_state_consumer_ids",
    ),
    "tfe_run_trigger": ("sourceable_id", "workspace_id"),
    "tfe_variable": ("workspace_id", "category", "key", "sensitive", "value"),
}
DEFAULT_SETTINGS = ("name", "display_name", "metadata.name")
# Backend and cloud settings that are credentials: never shown.
CREDENTIAL = re.compile(r"(token|secret|password|access_key|sas)$")
APP_LABELS = ("app.kubernetes.io/part-of", "app.kubernetes.io/name", "app.kubernetes.io/instance")
EXTERNAL_SECRET_KINDS = ("ExternalSecret", "ClusterExternalSecret")


# --- reading -----------------------------------------------------------------------------------------------------


def load_stacks(outdir: Path) -> dict[str, dict[str, Any]]:
    """Every stack of the synthesized outdir, in manifest order."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {
        name: json.loads((outdir / stack["synthesizedStackPath"]).read_text())
        for name, stack in manifest["stacks"].items()
    }


def environment_of(stack: str) -> str:
    return stack.rsplit("-", 1)[-1]


def dig(node: Any, dotted: str) -> Any:
    """The value at a dotted path; a single-block list (``[{...}]``) is stepped through."""
    for part in dotted.split("."):
        if isinstance(node, list) and len(node) == 1:
            node = node[0]
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# CDKTF's names for what one stack hands to another (a remote state data source, an output).
CROSS_STACK_INPUT = "cross-stack-reference-input-"
CROSS_STACK_OUTPUT = "cross-stack-output-"


class References:
    """Renders ``${type.name.attr}`` as ``<construct path>.attr`` so a reviewer sees which resource is meant.

    A cross-stack reference (``data.terraform_remote_state.cross-stack-reference-input-<stack>.outputs.<output>``)
    is followed to the other stack's output and shown as ``<stack>: <construct path>.attr``.
    """

    TOKEN = re.compile(r"\$\{([^{}]*)\}")
    ADDRESS = re.compile(
        r"\b(data\.|ephemeral\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)"
    )

    def __init__(self, stack: str, synthesized: dict[str, Any], stacks: dict[str, dict[str, Any]] | None = None):
        self.stacks = stacks or {}
        self.paths: dict[tuple[str, str, str], str] = {}
        for block, prefix in (("resource", ""), ("data", "data."), ("ephemeral", "ephemeral.")):
            for kind, instances in synthesized.get(block, {}).items():
                for name, body in instances.items():
                    path = dig(body, "//.metadata.path") or name
                    # A construct's `Default` child stands for the construct itself (cdk's convention).
                    self.paths[(prefix, kind, name)] = path.removeprefix(f"{stack}/").removesuffix("/Default")

    def render(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return ", ".join(self.render(item) for item in value) or "(none)"
        if isinstance(value, dict):
            return ", ".join(f"{key}={self.render(item)}" for key, item in value.items()) or "(none)"
        if not isinstance(value, str):
            return str(value)
        return self.TOKEN.sub(lambda match: self.ADDRESS.sub(self._address, match.group(1)), value)

    def _address(self, match: re.Match[str]) -> str:
        prefix, kind, name, rest = match.group(1) or "", match.group(2), match.group(3), match.group(4)
        if (prefix, kind) == ("data.", "terraform_remote_state"):
            followed = self._other_stack(name, rest)
            if followed:
                return followed
        path = self.paths.get((prefix, kind, name))
        if path is None:
            return match.group(0)
        return f"{prefix}{kind + '.' if prefix else ''}{path}{rest}"

    def _other_stack(self, name: str, rest: str) -> str | None:
        producer = name.removeprefix(CROSS_STACK_INPUT)
        output = rest.removeprefix(".outputs.")
        value = dig(self.stacks.get(producer, {}), f"output.{output}.value") if producer != name else None
        if not isinstance(value, str) or not self.TOKEN.fullmatch(value):
            return None
        return f"{producer}: {References(producer, self.stacks[producer]).render(value)}"


# --- resources ---------------------------------------------------------------------------------------------------


def flattened(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Leaves of nested mappings as (dotted path, value)."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from flattened(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), node


def settings(resource_type: str, body: dict[str, Any], references: References) -> list[str]:
    """The listed settings that are set. Two forms look inside a value:
    ``<field>:references`` shows each key of a map with the reference its value comes from (a literal is not shown);
    ``<field>:flattened`` shows every leaf of YAML/JSON documents (Helm values), credentials left out."""
    shown = []
    for entry in SETTINGS.get(resource_type, DEFAULT_SETTINGS):
        dotted, _, form = entry.partition(":")
        value = dig(body, dotted)
        if value is None:
            continue
        if form == "references" and isinstance(value, dict):
            value = {key: item if "${" in str(item) else "(literal, not shown)" for key, item in value.items()}
        elif form == "flattened":
            documents = [yaml.safe_load(text) for text in (value if isinstance(value, list) else [value])]
            value = {
                path: leaf
                for document in documents
                for path, leaf in flattened(document)
                if not CREDENTIAL.search(path.rsplit(".", 1)[-1].lower())
            }
        shown.append(f"{dotted}: {references.render(value)}")
    return shown


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


def backend_line(synthesized: dict[str, Any]) -> str:
    terraform = synthesized.get("terraform", {})
    blocks = dict(terraform.get("backend", {}))
    if "cloud" in terraform:
        blocks["cloud (HCP Terraform)"] = terraform["cloud"]
    if not blocks:
        return "Backend: none (local state in the working directory)"
    described = []
    for kind, config in blocks.items():
        shown = ", ".join(
            f"{key}: {json.dumps(value) if isinstance(value, dict) else value}"
            for key, value in sorted(config.items())
            if not CREDENTIAL.search(key)
        )
        described.append(f"{kind} ({shown})" if shown else kind)
    return "Backend: " + "; ".join(described)


def stack_section(stack: str, synthesized: dict[str, Any], stacks: dict[str, dict[str, Any]]) -> list[str]:
    references = References(stack, synthesized, stacks)
    lines = [f"### Stack `{stack}`", "", backend_line(synthesized)]
    for title, block in (("Variables", "variable"), ("Outputs", "output")):
        declared = synthesized.get(block, {})
        names = [
            f"`{name}`" + (" (sensitive)" if body.get("sensitive") else "")
            for name, body in declared.items()
            if not name.startswith(CROSS_STACK_OUTPUT)
        ]
        handed_on = len(declared) - len(names)
        if handed_on:
            names.append(f"{handed_on} cross-stack output{'s' if handed_on > 1 else ''} read by other stacks")
        if names:
            lines.append(f"{title}: " + ", ".join(names))
    imports = synthesized.get("import", [])
    if imports:  # what exists already and the first plan takes over (adopt:, docs/migration.md)
        lines.append("Imports (existing objects the first plan takes over): "
                     + ", ".join(f"`{block['to']}` from `{block['id']}`" for block in imports))
    # Ephemeral resources (write-only secrets' generated values) are never stored, but their settings decide the
    # value: they are listed with the resources.
    rows = [
        (
            f"`{prefix}{kind}.{name}`",
            references.paths[(prefix, kind, name)],
            "<br>".join(settings(kind, body, references)),
        )
        for block, prefix in (("resource", ""), ("ephemeral", "ephemeral."))
        for kind, instances in synthesized.get(block, {}).items()
        for name, body in instances.items()
    ]
    lines.append("")
    lines += table(("Resource", "Construct", "Settings"), rows) if rows else ["No resources."]
    return lines + [""]


# --- secrets reaching Kubernetes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretFlow:
    """One Kubernetes key filled from the vault."""

    app: str
    namespace: str
    secret: str  # the Kubernetes Secret
    key: str  # the key in it
    vault_secret: str  # what ESO reads from Key Vault
    store: str  # the SecretStore/ClusterSecretStore ESO reads through
    source: str  # where the ExternalSecret is declared


ManifestObject = tuple[dict[str, Any], str, "References | None"]


def manifest_objects(stacks: dict[str, dict[str, Any]], manifests: Path, environment: str) -> Iterator[ManifestObject]:
    """Kubernetes objects with where each is declared: ``kubernetes_manifest`` resources of the environment's
    stacks, then the YAML files under ``<manifests>/<environment>/``."""
    for stack, synthesized in stacks.items():
        references = References(stack, synthesized, stacks)
        for name, body in synthesized.get("resource", {}).get("kubernetes_manifest", {}).items():
            if isinstance(body.get("manifest"), dict):
                yield body["manifest"], f"{stack}: {references.paths[('', 'kubernetes_manifest', name)]}", references
    folder = manifests / environment
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
            for document in yaml.safe_load_all(path.read_text()):
                if isinstance(document, dict):
                    yield document, path.relative_to(manifests.parent).as_posix(), None


def _remote(reference: dict[str, Any]) -> str:
    text = str(reference.get("key", "?"))
    if reference.get("property"):
        text += f" (property {reference['property']})"
    if reference.get("version"):
        text += f" (version {reference['version']})"
    return text


def _data_from(entry: dict[str, Any]) -> tuple[str, str]:
    """The Kubernetes key and the vault source of one ``dataFrom`` entry."""
    rewritten = " (keys rewritten)" if entry.get("rewrite") else ""
    if "extract" in entry:
        return f"every property{rewritten}", f"{_remote(entry['extract'])} (JSON, all properties)"
    if "find" in entry:
        find = entry["find"]
        parts = []
        if dig(find, "name.regexp"):
            parts.append(f"names matching /{find['name']['regexp']}/")
        if find.get("tags"):
            parts.append("tags " + ", ".join(f"{k}={v}" for k, v in find["tags"].items()))
        return f"one per secret found{rewritten}", "every secret with " + " and ".join(parts or ["any name"])
    return "?", json.dumps(entry, sort_keys=True)


def key_sources(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """(Kubernetes key, vault source) pairs of an ExternalSecret spec, templates applied."""
    direct = [(str(entry.get("secretKey")), _remote(entry.get("remoteRef", {}))) for entry in spec.get("data", [])]
    pairs = direct + [_data_from(entry) for entry in spec.get("dataFrom", [])]
    template = dig(spec, "target.template") or {}
    if not template.get("data"):
        return pairs
    templated = []
    for key, text in template["data"].items():
        used = [source for secret_key, source in direct if re.search(rf"\.{re.escape(secret_key)}\b", str(text))]
        templated.append((f"{key} (template)", ", ".join(used) or "(no vault value)"))
    return templated + (pairs if template.get("mergePolicy") == "Merge" else [])


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def secret_flows(objects: Iterator[ManifestObject]) -> list[SecretFlow]:
    flows = []
    for manifest, source, references in objects:
        kind = manifest.get("kind")
        if kind not in EXTERNAL_SECRET_KINDS:
            continue
        render = references.render if references else _plain
        metadata = manifest.get("metadata", {})
        spec = manifest.get("spec", {})
        labels = metadata.get("labels", {})
        if kind == "ClusterExternalSecret":
            inner = spec.get("externalSecretSpec", {})
            namespaces = ", ".join(spec.get("namespaces", []))
            selectors = spec.get("namespaceSelectors", [])
            if selectors:
                matching = f"namespaces matching {json.dumps(selectors, sort_keys=True)}"
                namespaces = f"{namespaces}, {matching}" if namespaces else matching
            secret_name = dig(inner, "target.name") or spec.get("externalSecretName") or metadata.get("name")
        else:
            inner = spec
            namespaces = metadata.get("namespace", "(namespace of the apply)")
            secret_name = dig(inner, "target.name") or metadata.get("name")
        app = next((labels[label] for label in APP_LABELS if label in labels), namespaces)
        store_ref = inner.get("secretStoreRef", {})
        store = f"{store_ref.get('kind', 'SecretStore')}/{store_ref.get('name', '?')}"
        for key, vault_secret in key_sources(inner):
            flows.append(
                SecretFlow(
                    app=render(app),
                    namespace=render(namespaces),
                    secret=render(secret_name),
                    key=key,
                    vault_secret=render(vault_secret),
                    store=render(store),
                    source=source,
                )
            )
    return sorted(flows, key=lambda flow: (flow.app, flow.namespace, flow.secret, flow.key))


def secrets_section(flows: list[SecretFlow]) -> list[str]:
    lines = ["### Secrets reaching Kubernetes", ""]
    if not flows:
        return lines + ["No ExternalSecret in this environment.", ""]
    header = ("App", "Namespace", "Kubernetes Secret", "Key", "Key Vault secret", "Store", "Declared in")
    rows = [
        (flow.app, flow.namespace, flow.secret, flow.key, flow.vault_secret, flow.store, flow.source) for flow in flows
    ]
    return lines + table(header, rows) + [""]


# --- the whole summary -------------------------------------------------------------------------------------------


def render(outdir: Path, manifests: Path) -> str:
    stacks = load_stacks(outdir)
    environments = sorted({environment_of(stack) for stack in stacks})
    lines = ["# Review summary", ""]
    for environment in environments:
        mine = {stack: synthesized for stack, synthesized in stacks.items() if environment_of(stack) == environment}
        lines += [f"## Environment `{environment}`", ""]
        for stack, synthesized in mine.items():
            lines += stack_section(stack, synthesized, stacks)
        lines += secrets_section(secret_flows(manifest_objects(mine, manifests, environment)))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out", help="synthesized outdir (cdktf.out)")
    parser.add_argument("--manifests", type=Path, default=ROOT / "manifests", help="GitOps manifests (manifests/)")
    args = parser.parse_args(argv)
    if not (args.outdir / "manifest.json").is_file():
        print(f"error: {args.outdir}/manifest.json not found: run `make synth` first", file=sys.stderr)
        return 2
    sys.stdout.write(render(args.outdir, args.manifests))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
