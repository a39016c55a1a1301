"""Every validation rule of the ESO chart settings (``eso:`` in an environment file), with the exact message."""

from __future__ import annotations

import pytest

from config import ConfigError
from support import make_env

F = "environments/test.yaml"
CPU_RULE = "a CPU quantity: cores such as '0.5' or '2', or millicores such as '250m'"
MEMORY_RULE = "a memory quantity: bytes with a suffix such as '256Mi' or '1Gi' (Ki, Mi, Gi, Ti; k, M, G, T)"

# (test id, changes to the minimal environment, the whole expected message)
REJECTED = [
    (
        "chart version that is a range",
        {"eso.chart_version": "~2.9"},
        f"{F}: eso.chart_version '~2.9': must be an exact chart version such as '2.9.0' (MAJOR.MINOR.PATCH: the "
        "release is pinned, not a range)",
    ),
    (
        "chart version with a v prefix",
        {"eso.chart_version": "v2.9.0"},
        f"{F}: eso.chart_version 'v2.9.0': must be an exact chart version such as '2.9.0' (MAJOR.MINOR.PATCH: the "
        "release is pinned, not a range)",
    ),
    (
        "chart version written as a number",
        {"eso.chart_version": 2.9},
        f"{F}: eso.chart_version 2.9: must be a string (an exact chart version such as '2.9.0' (MAJOR.MINOR.PATCH: "
        "the release is pinned, not a range))",
    ),
    (
        "chart version of the end-of-life line",
        {"eso.chart_version": "0.9.20"},
        f"{F}: eso.chart_version '0.9.20': must be 0.16.0 or newer: older charts do not serve external-secrets.io/v1, "
        "the API version of the ClusterSecretStore (the 0.9.x line is end-of-life)",
    ),
    (
        "no replicas",
        {"eso.replicas": 0},
        f"{F}: eso.replicas 0: must be a whole number from 1 to 10",
    ),
    (
        "replicas as text",
        {"eso.replicas": "two"},
        f"{F}: eso.replicas 'two': must be a whole number from 1 to 10",
    ),
    (
        "cpu that is no quantity",
        {"eso.resources": {"requests": {"cpu": "half a core"}}},
        f"{F}: eso.resources.requests.cpu 'half a core': must be {CPU_RULE}",
    ),
    (
        "cpu finer than a millicore",
        {"eso.resources": {"requests": {"cpu": "0.0005"}}},
        f"{F}: eso.resources.requests.cpu '0.0005': must be {CPU_RULE}",
    ),
    (
        "cpu with a memory suffix",
        {"eso.resources": {"limits": {"cpu": "1Gi"}}},
        f"{F}: eso.resources.limits.cpu '1Gi': must be {CPU_RULE}",
    ),
    (
        "cpu that is true",
        {"eso.resources": {"limits": {"cpu": True}}},
        f"{F}: eso.resources.limits.cpu true: must be {CPU_RULE}",
    ),
    (
        "memory that is no quantity",
        {"eso.resources": {"requests": {"memory": "lots"}}},
        f"{F}: eso.resources.requests.memory 'lots': must be {MEMORY_RULE}",
    ),
    (
        "memory in thousandths of a byte",
        {"eso.resources": {"limits": {"memory": "256m"}}},
        f"{F}: eso.resources.limits.memory '256m': means 256 thousandths of a byte: write '256Mi' (mebibytes) or "
        "'256M' (megabytes)",
    ),
    (
        "cpu request above its limit",
        {"eso.resources": {"requests": {"cpu": "1500m"}, "limits": {"cpu": 1}}},
        f"{F}: eso.resources.requests.cpu '1500m': must not be above eso.resources.limits.cpu '1' (Kubernetes "
        "rejects a container whose request is above its limit)",
    ),
    (
        "memory request above its limit",
        {"eso.resources": {"requests": {"memory": "1Gi"}, "limits": {"memory": "1000M"}}},
        f"{F}: eso.resources.requests.memory '1Gi': must not be above eso.resources.limits.memory '1000M' "
        "(Kubernetes rejects a container whose request is above its limit)",
    ),
    (
        "resource other than cpu and memory",
        {"eso.resources": {"requests": {"gpu": 1}}},
        f"{F}: eso.resources.requests.gpu: unknown key (allowed here: cpu, memory)",
    ),
    (
        "resources section with a misspelt key",
        {"eso.resources": {"request": {"cpu": "100m"}}},
        f"{F}: eso.resources.request: unknown key (did you mean requests?)",
    ),
    (
        "disruption budget keeping the only replica",
        {"eso.pod_disruption_budget": {"min_available": 1}},
        f"{F}: eso.pod_disruption_budget.min_available 1: must be less than eso.replicas (1): a budget that keeps "
        "every pod blocks node drains and cluster upgrades (raise eso.replicas or remove the budget)",
    ),
    (
        "disruption budget keeping every replica",
        {"eso.replicas": 3, "eso.pod_disruption_budget": {"min_available": 3}},
        f"{F}: eso.pod_disruption_budget.min_available 3: must be less than eso.replicas (3): a budget that keeps "
        "every pod blocks node drains and cluster upgrades (raise eso.replicas or remove the budget)",
    ),
    (
        "disruption budget of no pods",
        {"eso.replicas": 2, "eso.pod_disruption_budget": {"min_available": 0}},
        f"{F}: eso.pod_disruption_budget.min_available 0: must be a whole number from 1 to 9 pods",
    ),
    (
        "disruption budget as a percentage",
        {"eso.replicas": 2, "eso.pod_disruption_budget": {"max_unavailable": "50%"}},
        f"{F}: eso.pod_disruption_budget.max_unavailable: unknown key (did you mean min_available?)",
    ),
    (
        "service monitor switch as text",
        {"eso.service_monitor_enabled": "on"},
        f"{F}: eso.service_monitor_enabled 'on': must be true or false",
    ),
    (
        "namespace restriction as text",
        {"eso.restrict_to_app_namespaces": "apps only"},
        f"{F}: eso.restrict_to_app_namespaces 'apps only': must be true or false",
    ),
    (
        "misspelt eso setting",
        {"eso.replica_count": 2},
        f"{F}: eso.replica_count: unknown key (allowed here: alerts, app_isolation, auth, chart_version, namespace, pod_disruption_budget, "
        "replicas, resources, restrict_to_app_namespaces, service_account, service_monitor_enabled, "
        "service_principal, workload_identity)",
    ),
    (
        "alerts without the service monitor",
        {"eso.alerts": {"rule_labels": {"release": "prometheus"}}},
        f"{F}: eso.alerts {{'rule_labels': {{'release': 'prometheus'}}}}: is only read with service_monitor_enabled "
        "true: the alerts read the metrics Prometheus scrapes through the ServiceMonitor",
    ),
    (
        "alert rule label key with a space",
        {"eso.service_monitor_enabled": True, "eso.alerts": {"rule_labels": {"my release": "prometheus"}}},
        f"{F}: eso.alerts.rule_labels.my release 'my release': must be a Kubernetes label or annotation key: a name "
        "of 1-63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, with an optional DNS "
        "prefix and '/' ('reloader.stakater.com/match')",
    ),
    (
        "alert rule label value that is not a label value",
        {"eso.service_monitor_enabled": True, "eso.alerts": {"rule_labels": {"release": "kube prometheus"}}},
        f"{F}: eso.alerts.rule_labels.release 'kube prometheus': must be a Kubernetes label value: at most 63 "
        "letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    ),
    (
        "alerts switched by text",
        {"eso.service_monitor_enabled": True, "eso.alerts": {"enabled": "yes"}},
        f"{F}: eso.alerts.enabled 'yes': must be true or false",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_invalid_eso_setting_is_rejected_with_file_field_value_and_rule(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message
