"""The ``kubernetes`` and ``helm`` providers of a stack that talks to the environment's cluster.

Both read the kubeconfig file and context named in the environment (``cluster:``); no credential, host or
certificate is written into the synthesized stack. ``~`` in the path is expanded by the providers.
https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs#file-config
"""

from __future__ import annotations

from cdk import Construct, HelmProvider, HelmProviderKubernetes, KubernetesProvider, terraform_literal
from config.eso import ClusterSettings


def kubernetes_provider(scope: Construct, cluster: ClusterSettings) -> KubernetesProvider:
    """Makes the ``kubernetes`` provider (construct ID ``kubernetes``)."""
    return KubernetesProvider(
        scope,
        "kubernetes",
        config_path=terraform_literal(cluster.kubeconfig_path),
        config_context=terraform_literal(cluster.context),
    )


def helm_provider(scope: Construct, cluster: ClusterSettings) -> HelmProvider:
    """Makes the ``helm`` provider (construct ID ``helm``), reaching the same cluster as :func:`kubernetes_provider`."""
    return HelmProvider(
        scope,
        "helm",
        kubernetes=HelmProviderKubernetes(
            config_path=terraform_literal(cluster.kubeconfig_path), config_context=terraform_literal(cluster.context)
        ),
    )
