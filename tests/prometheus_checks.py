"""Checks of the PrometheusRule the project emits, against the Prometheus Operator's own CRD schema (release
v0.93.0, vendored in ``tests/reference/prometheus/``), plus each alert's PromQL (tests/promql_checks.py) and what
the schema leaves out (API version, kind, name and namespace, label syntax). Returns the problems, empty when none."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema

from promql_checks import promql_problems
from reference_data import reference_file

API_VERSION = "monitoring.coreos.com/v1"
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")
# An alert's name is a label value in Prometheus (alertname): a valid metric-like identifier keeps it readable.
_ALERT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(reference_file("prometheus/prometheusrule.v1.schema.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    # Checked against the metaschema without its format checks: one pattern, '^(?i)(abort|warn)?$'
    # (partial_response_strategy, Thanos only), is RE2 as Kubernetes reads it, but Python's re wants a global flag
    # first. The project never sets that field, so the pattern is never evaluated here.
    metaschema_errors = list(validator_class(validator_class.META_SCHEMA).iter_errors(schema))
    assert not metaschema_errors, metaschema_errors[0]
    return validator_class(schema)


def prometheus_rule_problems(manifest: dict[str, Any]) -> list[str]:
    problems = []
    if manifest.get("apiVersion") != API_VERSION or manifest.get("kind") != "PrometheusRule":
        problems.append(f"apiVersion/kind {manifest.get('apiVersion')!r}/{manifest.get('kind')!r}: must be "
                        f"{API_VERSION!r}/'PrometheusRule'")
    metadata = manifest.get("metadata", {})
    for field in ("name", "namespace"):
        if not _DNS_LABEL.fullmatch(str(metadata.get(field, ""))):
            problems.append(f"metadata.{field} {metadata.get(field)!r}: must be a Kubernetes name")
    for key, value in metadata.get("labels", {}).items():
        if not _LABEL_VALUE.fullmatch(str(value)):
            problems.append(f"metadata.labels.{key} {value!r}: not a label value")
    for group_index, group in enumerate(manifest.get("spec", {}).get("groups", [])):
        for rule_index, rule in enumerate(group.get("rules", [])):
            at = f"spec.groups.{group_index}.rules.{rule_index}"
            if ("alert" in rule) == ("record" in rule):
                problems.append(f"{at}: exactly one of alert and record")
            if "alert" in rule and not _ALERT_NAME.fullmatch(rule["alert"]):
                problems.append(f"{at}.alert {rule['alert']!r}: not a valid alert name")
            problems += [f"{at}.expr: {problem}" for problem in promql_problems(str(rule.get("expr", "")))]
    for error in sorted(_validator().iter_errors(manifest), key=lambda error: list(map(str, error.absolute_path))):
        problems.append(f"{'.'.join(str(part) for part in error.absolute_path) or '(top)'}: {error.message}")
    return problems
