"""ESO's alerts as a Prometheus Operator PrometheusRule (a plain manifest, a Python dict), built by a pure function.

The same dict goes to a ``kubernetes_manifest`` in the ``eso-config-<env>`` stack (Terraform delivery) or into
``manifests/<env>/eso-alerts.prometheus-rule.yaml`` for Argo CD (GitOps delivery), like the ClusterSecretStore.

Metric names and labels are those of ESO 2.9.0 (https://external-secrets.io/latest/api/metrics/):
``externalsecret_status_condition``, ``secretstore_status_condition`` and ``clustersecretstore_status_condition``
are gauges labelled ``name``, ``namespace``, ``condition`` and ``status``; ``externalsecret_sync_calls_error`` is a
counter labelled ``name`` and ``namespace``. A not-ready object is the series ``{condition="Ready",status="False"}``
at 1; ESO sets it to 0 (or drops it) once the object is Ready again, in both its current single-series mode and its
deprecated dual-series mode (``--use-deprecated-status-condition``), so ``== 1`` holds for both.

The chart's ServiceMonitor is rendered with ``honorLabels: true`` (constructs/eso_operator.py): otherwise the
scrape target's own ``namespace`` label (ESO's namespace) would replace the object's, which would then be
``exported_namespace``, and every alert would name the wrong namespace.

Validated in the tests against the PrometheusRule CRD schema (tests/reference/prometheus/) and with a PromQL
well-formedness check (tests/promql_checks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROMETHEUS_RULE_API_VERSION = "monitoring.coreos.com/v1"
PROMETHEUS_RULE_NAME = "external-secrets-alerts"
RUNBOOK = "https://external-secrets.io/latest/api/metrics/"


@dataclass(frozen=True)
class EsoAlert:
    """One alerting rule: fires when ``expr`` has returned a series for ``for_duration`` (Prometheus syntax)."""

    name: str
    expr: str
    for_duration: str
    severity: str
    summary: str
    description: str


# Durations: an ExternalSecret is retried with back-off, so a short failure (a vault throttling for a minute, a
# rolling restart of ESO) heals itself; a store that is not ready breaks every ExternalSecret reading it, so it pages
# sooner and louder.
ALERTS: tuple[EsoAlert, ...] = (
    EsoAlert(
        name="ExternalSecretNotReady",
        expr='max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1',
        for_duration="10m",
        severity="warning",
        summary="ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} is not Ready",
        description="ESO has not synced ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} for 10 minutes: its "
        "Secret keeps the last values synced, or does not exist. See `kubectl describe externalsecret -n "
        "{{ $labels.namespace }} {{ $labels.name }}` (events, status.conditions).",
    ),
    EsoAlert(
        name="ExternalSecretSyncErrors",
        expr="sum by (namespace, name) (increase(externalsecret_sync_calls_error[10m])) > 0",
        for_duration="15m",
        severity="warning",
        summary="ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} keeps failing to sync",
        description="Sync calls of ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} have failed for 15 "
        "minutes ({{ $value }} in the last 10): a missing vault secret, a denied read (role assignment) or Key Vault "
        "throttling. See the ESO controller's logs.",
    ),
    EsoAlert(
        name="SecretStoreNotReady",
        expr='max by (namespace, name) (secretstore_status_condition{condition="Ready", status="False"}) == 1',
        for_duration="5m",
        severity="critical",
        summary="SecretStore {{ $labels.namespace }}/{{ $labels.name }} is not Ready",
        description="SecretStore {{ $labels.namespace }}/{{ $labels.name }} cannot reach or sign in to Key Vault: "
        "no ExternalSecret reading it syncs. See `kubectl describe secretstore -n {{ $labels.namespace }} "
        "{{ $labels.name }}`.",
    ),
    EsoAlert(
        name="ClusterSecretStoreNotReady",
        expr='max by (name) (clustersecretstore_status_condition{condition="Ready", status="False"}) == 1',
        for_duration="5m",
        severity="critical",
        summary="ClusterSecretStore {{ $labels.name }} is not Ready",
        description="ClusterSecretStore {{ $labels.name }} cannot reach or sign in to Key Vault: no ExternalSecret "
        "reading it syncs. See `kubectl describe clustersecretstore {{ $labels.name }}`.",
    ),
)


def prometheus_rule(*, namespace: str, labels: dict[str, str], alerts: tuple[EsoAlert, ...] = ALERTS) -> dict[str, Any]:
    """The PrometheusRule ``external-secrets-alerts`` in ``namespace`` (ESO's), labelled ``labels`` so that the
    Prometheus ``ruleSelector`` picks it up."""
    return {
        "apiVersion": PROMETHEUS_RULE_API_VERSION,
        "kind": "PrometheusRule",
        "metadata": {
            "name": PROMETHEUS_RULE_NAME,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/managed-by": "cdktf", **labels},
        },
        "spec": {
            "groups": [
                {
                    "name": "external-secrets",
                    "rules": [
                        {
                            "alert": alert.name,
                            "expr": alert.expr,
                            "for": alert.for_duration,
                            "labels": {"severity": alert.severity},
                            "annotations": {
                                "summary": alert.summary,
                                "description": alert.description,
                                "runbook_url": RUNBOOK,
                            },
                        }
                        for alert in alerts
                    ],
                }
            ]
        },
    }
