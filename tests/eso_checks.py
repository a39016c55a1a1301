"""Checks of what the project emits for External Secrets Operator, against ESO's own reference data.

The schemas and the chart's default values are those of ESO 2.9.0, vendored in ``tests/reference/eso/`` (see its
README; a trimmed copy of ``../shared/eso/``). Each check returns the list of problems (empty when all is well), so
an assertion shows every problem at once.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema
import yaml

from reference_data import reference_file

ESO_API_VERSION = "external-secrets.io/v1"
# The CRD schemas: one per kind this project emits or may emit.
CRD_SCHEMAS = {
    "ClusterSecretStore": "eso/clustersecretstore.v1.schema.json",
    "SecretStore": "eso/secretstore.v1.schema.json",
    "ExternalSecret": "eso/externalsecret.v1.schema.json",
    "ClusterExternalSecret": "eso/clusterexternalsecret.v1.schema.json",
}
NAMESPACED = {"SecretStore", "ExternalSecret"}
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


@cache
def _validator(relative: str) -> jsonschema.protocols.Validator:
    schema = json.loads(reference_file(relative).read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator_class.check_schema(schema)
    return validator_class(schema)


@cache
def chart_defaults() -> dict[str, Any]:
    return yaml.safe_load(reference_file("eso/chart-values.yaml").read_text(encoding="utf-8"))


def _schema_problems(validator: jsonschema.protocols.Validator, document: Any) -> list[str]:
    return [
        f"{'.'.join(str(part) for part in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
    ]


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    """An ESO manifest against its v1 CRD schema, plus what the schema leaves out: the API version and kind
    (the CRD schema accepts any string there) and the metadata name (and namespace for namespaced kinds)."""
    kind = manifest.get("kind")
    if kind not in CRD_SCHEMAS:
        return [f"kind {kind!r} is not an ESO kind ({', '.join(CRD_SCHEMAS)})"]
    problems = []
    if manifest.get("apiVersion") != ESO_API_VERSION:
        problems.append(f"apiVersion {manifest.get('apiVersion')!r}: must be {ESO_API_VERSION!r}")
    metadata = manifest.get("metadata", {})
    name = metadata.get("name", "")
    if not (len(name) <= 253 and _DNS_SUBDOMAIN.fullmatch(name)):
        problems.append(f"metadata.name {name!r}: must be a DNS subdomain")
    if kind in NAMESPACED and not _DNS_LABEL.fullmatch(metadata.get("namespace", "")):
        problems.append(f"metadata.namespace {metadata.get('namespace')!r}: a {kind} needs a namespace")
    if kind not in NAMESPACED and "namespace" in metadata:
        problems.append(f"metadata.namespace: a {kind} is cluster-scoped")
    if kind == "ExternalSecret":
        problems += external_secret_webhook_problems(manifest)
    return problems + _schema_problems(_validator(CRD_SCHEMAS[kind]), manifest)


def external_secret_webhook_problems(manifest: dict[str, Any]) -> list[str]:
    """Rules ESO's admission webhook enforces on an ExternalSecret that its CRD schema cannot express
    (tests/reference/eso/README.md)."""
    spec = manifest.get("spec", {})
    target = spec.get("target", {})
    creation, deletion = target.get("creationPolicy", "Owner"), target.get("deletionPolicy", "Retain")
    problems = []
    if not spec.get("data") and not spec.get("dataFrom"):
        problems.append("spec: an ExternalSecret needs data or dataFrom")
    if deletion == "Delete" and creation != "Owner":
        problems.append("spec.target: deletionPolicy Delete requires creationPolicy Owner")
    if deletion == "Merge" and creation == "None":
        problems.append("spec.target: deletionPolicy Merge cannot go with creationPolicy None")
    return problems


def chart_values_problems(values: dict[str, Any]) -> list[str]:
    """Chart values against the chart's values schema, and every key path against the chart's default values.

    The schema checks types but allows unknown keys, and Helm silently ignores a misspelt value name. A path is
    known when each of its keys exists in the defaults; below a default that is an empty mapping (annotations,
    labels, ``resources``) any key is allowed, since those are free-form.
    """
    problems = _schema_problems(_validator("eso/chart-values.schema.json"), values)
    return problems + [f"{path}: not a value of the chart" for path in unknown_value_paths(values, chart_defaults())]


def unknown_value_paths(values: Any, defaults: Any, prefix: str = "") -> list[str]:
    if not isinstance(values, dict) or not isinstance(defaults, dict) or not defaults:
        return []
    unknown = []
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else key
        if key not in defaults:
            unknown.append(path)
        else:
            unknown.extend(unknown_value_paths(value, defaults[key], path))
    return unknown
