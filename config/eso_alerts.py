"""Settings of the Prometheus alerts on External Secrets Operator (``eso.alerts``).

With ``eso.service_monitor_enabled``, Prometheus scrapes ESO's metrics; these alerts then tell the platform team
when an ExternalSecret stops syncing or a store stops working (constructs/eso_alerts.py has the rules).
"""

from __future__ import annotations

from pydantic import Field

from config.kubernetes_metadata import Labels
from config.reader import Flag, Settings, settings

# kube-prometheus-stack's Prometheus selects rules labelled `release: <its Helm release name>`
# (prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues); the chart's name is the usual release name.
DEFAULT_RULE_LABELS = {"release": "kube-prometheus-stack"}


@settings
class EsoAlertSettings(Settings):
    """A PrometheusRule ``external-secrets-alerts`` in ESO's namespace, read with ``eso.service_monitor_enabled``.

    The Prometheus Operator loads a rule only when its labels match the Prometheus resource's ``ruleSelector``
    (and its namespace the ``ruleNamespaceSelector``); a rule that matches neither is valid and silently ignored.
    Check with ``kubectl get prometheus -A -o jsonpath='{..ruleSelector}'``.
    """

    enabled: Flag = Field(
        True, description="The PrometheusRule with ESO's alerts (on with the ServiceMonitor unless turned off)."
    )
    rule_labels: Labels = Field(
        default_factory=lambda: dict(DEFAULT_RULE_LABELS),
        description="Labels of the PrometheusRule, matching your Prometheus' ruleSelector. Default: "
        "{release: kube-prometheus-stack}, what kube-prometheus-stack installed as 'kube-prometheus-stack' selects.",
    )
