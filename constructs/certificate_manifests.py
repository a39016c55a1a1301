"""An app's Key Vault certificate as a ``kubernetes.io/tls`` Secret: the ExternalSecret, a plain manifest (dict).

ESO's azurekv provider reads three object types (https://external-secrets.io/latest/provider/azure-key-vault/):
``secret/<name>`` (a secret's value), ``cert/<name>`` (the certificate's public CER, DER-encoded, without its
private key) and ``key/<name>`` (a public JWK). A TLS Secret needs the private key, which Key Vault exposes only
through the certificate's backing secret, ``secret/<name>``: the PKCS#12 archive, base64-encoded, or the PEM file
(certificate, chain and key), depending on the certificate's content type. The template turns it into ``tls.crt``
(certificate and chain) and ``tls.key`` with ESO's template functions ``pkcs12cert``/``pkcs12key`` or ``filterPEM``,
as in ESO's own example (docs/snippets/azkv-pkcs12-cert-external-secret.yaml). ``mergePolicy`` stays ``Replace``,
so the raw archive is not written into the Secret beside the two keys.

Reading ``secret/<name>`` takes the ``Key Vault Secrets User`` role on that secret (isolated apps: a role
assignment scoped to ``<vault id>/secrets/<name>``, the certificate's backing secret's versionless ID), not
``Key Vault Certificate User``, which reading ``cert/<name>`` would take.
"""

from __future__ import annotations

from typing import Any

from config.apps import AppSettings, CertificateContentType, CertificateSpec

ESO_API_VERSION = "external-secrets.io/v1"
# The data key the backing secret is read into; the template reads it, and it is not written to the Secret.
SOURCE_KEY = "certificate"
TLS_TEMPLATES = {
    CertificateContentType.PKCS12: {
        "tls.crt": "{{ .certificate | b64dec | pkcs12cert }}",
        "tls.key": "{{ .certificate | b64dec | pkcs12key }}",
    },
    CertificateContentType.PEM: {
        "tls.crt": '{{ .certificate | filterPEM "CERTIFICATE" }}',
        "tls.key": '{{ .certificate | filterPEM "PRIVATE KEY" }}',
    },
}


def certificate_external_secret_name(app: AppSettings, certificate: CertificateSpec) -> str:
    """``<app>-<certificate>`` in lower case, the ExternalSecret beside the app's own."""
    return f"{app.name}-{certificate.name}".lower()


def backing_secret_key(certificate: CertificateSpec) -> str:
    """The azurekv remote key of the certificate's backing secret, which holds the private key."""
    return f"secret/{certificate.name}"


def certificate_external_secret(
    app: AppSettings, certificate: CertificateSpec, *, store_name: str, store_kind: str = "ClusterSecretStore"
) -> dict[str, Any]:
    """The ExternalSecret that writes ``certificate`` into the ``kubernetes.io/tls`` Secret ``target_name``."""
    template: dict[str, Any] = {"engineVersion": "v2", "type": "kubernetes.io/tls"}
    if certificate.secret_annotations:
        template["metadata"] = {"annotations": dict(certificate.secret_annotations)}
    template["data"] = dict(TLS_TEMPLATES[certificate.content_type])
    return {
        "apiVersion": ESO_API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {
            "name": certificate_external_secret_name(app, certificate),
            "namespace": app.namespace,
            "labels": {"app.kubernetes.io/name": app.name, "app.kubernetes.io/managed-by": "cdktf"},
        },
        "spec": {
            "refreshInterval": certificate.refresh_interval,
            "secretStoreRef": {"kind": store_kind, "name": store_name},
            "target": {
                "name": certificate.target_name,
                "creationPolicy": "Owner",
                "deletionPolicy": "Retain",
                "template": template,
            },
            "data": [{"secretKey": SOURCE_KEY, "remoteRef": {"key": backing_secret_key(certificate)}}],
        },
    }
