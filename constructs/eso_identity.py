"""The identity External Secrets Operator signs in to Key Vault with.

Two constructs, one per mode of :class:`config.eso.EsoAuth`, with the same surface (``principal_id``,
``client_id``) so the role assignments do not care which one they get.
"""

from __future__ import annotations

from cdk import (
    Application,
    ApplicationPasswordA,
    Construct,
    FederatedIdentityCredential,
    Fn,
    ServicePrincipal,
    TimeStatic,
    UserAssignedIdentity,
    terraform_literal,
)
from addresses import formerly
from names import federated_credential_name
from config.eso import ServicePrincipalSettings

# The audience Entra ID expects in a Kubernetes service account token exchanged for an Azure token.
# https://learn.microsoft.com/azure/aks/workload-identity-overview
WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange"


# The two password slots. Each bump of `password_generation` replaces the older slot, so the password ESO uses until
# its Secret is updated stays valid.
PASSWORD_SLOTS = ("blue", "green")


def slot_generation(generation: int, slot: int) -> int:
    """The latest generation, up to ``generation``, that belongs to ``slot`` (generations alternate slots)."""
    return generation if generation % len(PASSWORD_SLOTS) == slot else generation - 1


class EsoServicePrincipal(Construct):
    """An Entra ID application, its service principal and two client secrets that rotate in turn.

    Makes ``azuread_application`` (ID ``application``), ``azuread_service_principal`` (``service_principal``) and,
    per slot (``blue``, ``green``), a ``time_static`` (``password_<slot>_created``) and an
    ``azuread_application_password`` (``password_<slot>``) valid for ``password_validity_days`` from its creation.

    Rotation without an outage: bumping ``password_generation`` replaces the *other* slot's password and makes it
    the current one (:attr:`client_secret`), while the password ESO still holds stays valid. Deploy ``azure-<env>``,
    then ``eso-<env>`` (which writes the new one into ``azure-secret-creds``); the previous password is replaced at
    the next bump. Bump before ``password_validity_days`` run out. The client secret lives in Terraform state: treat
    the state as secret.
    https://learn.microsoft.com/entra/identity-platform/howto-create-service-principal-portal#option-3-create-a-new-client-secret
    """

    def __init__(self, scope: Construct, id: str, *, settings: ServicePrincipalSettings) -> None:
        super().__init__(scope, id)
        self.application = Application(self, "application", display_name=terraform_literal(settings.display_name))
        self.service_principal = ServicePrincipal(
            self, "service_principal", client_id=self.application.client_id
        )
        self.passwords: list[ApplicationPasswordA] = []
        for index, slot in enumerate(PASSWORD_SLOTS):
            generation = str(slot_generation(settings.password_generation, index))
            created = TimeStatic(self, f"password_{slot}_created", triggers={"generation": generation})
            self.passwords.append(
                ApplicationPasswordA(
                    self,
                    f"password_{slot}",
                    application_id=self.application.id,
                    display_name=f"external-secrets-{slot}",
                    end_date=Fn.timeadd(created.rfc3339, f"{settings.password_validity_days * 24}h"),
                    rotate_when_changed={"generation": generation},
                )
            )
        self.password = self.passwords[settings.password_generation % len(PASSWORD_SLOTS)]

    @property
    def principal_id(self) -> str:
        return self.service_principal.object_id

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def client_secret(self) -> str:
        return self.password.value


class EsoWorkloadIdentity(Construct):
    """A user-assigned managed identity federated with ESO's Kubernetes service account. No secret exists.

    Makes ``azurerm_user_assigned_identity`` (the construct's own resource, ID ``Default``) and
    ``azurerm_federated_identity_credential`` (``federated_credential``) whose subject is
    ``system:serviceaccount:<namespace>:<service account>``, named ``<namespace>-<service account>`` (cut with a
    hash to Azure's 120 characters when longer, see :func:`names.federated_credential_name`).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        oidc_issuer_url: str,
        namespace: str,
        service_account: str,
        tags: dict[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.identity = formerly(
            UserAssignedIdentity(
                self, "Default", name=name, resource_group_name=resource_group_name, location=location, tags=tags
            ),
            "identity",
        )
        self.federated_credential = FederatedIdentityCredential(
            self,
            "federated_credential",
            name=federated_credential_name(namespace, service_account),
            resource_group_name=resource_group_name,
            parent_id=self.identity.id,
            issuer=terraform_literal(oidc_issuer_url),
            subject=f"system:serviceaccount:{namespace}:{service_account}",
            audience=[WORKLOAD_IDENTITY_AUDIENCE],
        )

    @property
    def principal_id(self) -> str:
        return self.identity.principal_id

    @property
    def client_id(self) -> str:
        return self.identity.client_id
