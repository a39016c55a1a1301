"""Which detector takes a value written in an environment file for a secret: the plugins of detect-secrets.

The detectors are bc-detect-secrets' (module ``detect_secrets``, checkov's maintained fork of Yelp's
detect-secrets): token formats (GitHub, Stripe, AWS, Slack, JWT, private keys, Azure storage keys, ...), secret
keywords (``Password=``) and high-entropy strings. They are written for lines of source files, so a value is shown
to them in the forms they read:

* the value as it is, for the token formats;
* ``<key>: "<value>"``, a YAML line with the value quoted: the keyword detector reads the key (``account_key``,
  ``db_pass``), the entropy detectors want a quoted string;
* each ``name=value`` part of a connection string (``Server=db;Password=...``) and each query parameter of a URL,
  as ``<name>: "<value>"``: so ``Password=``, ``AccountKey=`` and ``?api_key=`` reach the keyword detector with
  their names, and ``SharedAccessKey=<base64>`` the entropy detector as a whole;
* each word of the value (split at whitespace and at ``/ ; , & ? # @ : = .``), quoted: a token in a URL's path or
  in a host name label is judged by entropy on its own, a GUID or a host name is not.

One case is decided here, not by a plugin: a URL with a password (``postgresql://user:pass@host``). detect-secrets'
BasicAuthDetector skips any URL that mentions ``example.com`` and any password holding one of RFC 3986's
sub-delimiters (``!$&'()*+,;=``), so ``postgresql://myapp:S3cr3tP4ssw0rd!@postgres`` passes it; the standard
library's URL parser finds the password exactly.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from config.reader import problem

URL_PASSWORD = "a password in a URL"
# No file of that name exists: PrivateKeyDetector reads the file it is told of when the file exists.
_SCAN_NAME = "(a value of an environment file).yaml"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
_WORD_SEPARATORS = re.compile(r"[\s/;,&?#@:=.]+")
_GO_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@functools.lru_cache(maxsize=4096)
def secret_detector(value: str, key: str) -> str | None:
    """The detector that takes ``value`` (written under ``key``) for a secret, such as 'detect-secrets: Secret
    Keyword in Password=' or 'a password in a URL', or ``None`` when none does. Token formats win over keywords,
    keywords over entropy."""
    if _url_password(value):
        return URL_PASSWORD
    pairs = _pairs(value)
    whole = f'{key}: "{value}"'
    # Parts first, so that a finding says where it is ("Secret Keyword in Password=").
    parts = [f'{name}: "{item}"' for name, item in pairs]
    words = [f'"{word}"' for word in dict.fromkeys(_WORD_SEPARATORS.split(value)) if word]
    raw = [value, *value.splitlines()] if "\n" in value else [value]
    tokens, keyword, entropy = _plugins()
    for plugins, lines in ((tokens, [*raw, whole]), (keyword, [*parts, whole, *raw]), (entropy, [*parts, whole, *words])):
        for plugin in plugins:
            for line in lines:
                secret = _finding(plugin, line)
                if secret is not None:
                    return f"detect-secrets: {plugin.secret_type}{_where(secret, pairs)}"
    return None


def refuse_secret_tags(tags: dict[str, str]) -> dict[str, str]:
    """Tags are public metadata of Azure resources and appear in cdktf.out: a secret-looking tag value is refused
    (a validator of the models' tag mappings)."""
    for name, value in tags.items():
        detector = secret_detector(value, name)
        if detector:
            raise problem(
                f"looks like a secret ({detector}): tags are public metadata, readable by anyone who can read the "
                "resource, so a secret never goes into one",
                at=(name,),
                shown=False,
            )
    return tags


def refuse_secret_template_literals(templates: dict[str, str]) -> dict[str, str]:
    """A template is written into the ExternalSecret (Git or cdktf.out): its literal text, outside the ``{{ }}``
    actions, must not hold a secret."""
    for name, text in templates.items():
        detector = secret_detector(template_literals(text), name)
        if detector:
            raise problem(
                f"holds a literal that looks like a secret ({detector}), and a secret value never goes into an "
                "environment file: declare it as a random or sensitive secret of the app and refer to its data key, "
                "as in {{ .POSTGRES_PASSWORD }}",
                at=(name,),
                shown=False,
            )
    return templates


def refuse_credentials_in_repo_url(repo_url: str) -> str:
    """The URL is written into the Argo CD Application in Git; Argo CD takes a private repository's credentials
    from a repository Secret (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories)."""
    detector = secret_detector(repo_url, "repo_url")
    if detector:
        raise problem(
            f"looks like it holds a credential ({detector}): give Argo CD the repository's credentials in a "
            "repository Secret in its namespace, and the URL without them",
            shown=False,
        )
    return repo_url


def template_literals(text: str) -> str:
    """A Go template without its actions (``{{ .POSTGRES_PASSWORD }}``): the literal text a secret could hide in."""
    return _GO_ACTION.sub("", text)


def _url_password(value: str) -> bool:
    for match in _URL.finditer(value):
        try:
            if urlsplit(match.group()).password:
                return True
        except ValueError:  # not a URL after all (an invalid port, an unbalanced '[')
            continue
    return False


def _pairs(value: str) -> list[tuple[str, str]]:
    """``name=value`` parts of a connection string and query parameters of the URLs in ``value``."""
    pairs = []
    for part in value.split(";"):
        name, equals, item = part.partition("=")
        if equals and item and re.fullmatch(r"[A-Za-z][\w .-]*", name.strip()):
            pairs.append((name.strip(), item))
    for match in _URL.finditer(value):
        try:
            pairs.extend((name, item) for name, item in parse_qsl(urlsplit(match.group()).query) if item)
        except ValueError:
            continue
    return pairs


def _where(secret: str, pairs: list[tuple[str, str]]) -> str:
    """' in Password=' when the finding is the value of one part of a connection string or URL."""
    for name, item in pairs:
        if secret and secret == item.strip():
            return f" in {name}="
    return ""


def _finding(plugin: Any, line: str) -> str | None:
    """What ``plugin`` finds in ``line`` ('' when it does not say), or None."""
    heuristic = _heuristic()
    # The entropy plugins apply their limits (Base64 4.5, hex 3.0 bits per character) themselves.
    for finding in plugin.analyze_line(filename=_SCAN_NAME, line=line, line_number=1):
        secret = finding.secret_value or ""
        # detect-secrets' own filters for what only looks like a value: ${VAR}, <placeholder>, a UUID, ABCDEF...
        if secret and (
            heuristic.is_templated_secret(secret)
            or heuristic.is_prefixed_with_dollar_sign(secret)
            or heuristic.is_potential_uuid(secret)
            or heuristic.is_sequential_string(secret)
        ):
            continue
        return secret
    return None


@functools.cache
def _heuristic() -> Any:
    from detect_secrets.filters import heuristic

    return heuristic


@functools.cache
def _plugins() -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """Every plugin detect-secrets registers, with its default settings: token formats, keywords, entropy.

    Imported on first use: detect_secrets costs about half a second to import (its package imports ``requests``
    for the plugins' optional online verification, which is never used here).
    """
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.keyword import KeywordDetector

    plugins = [cls() for _, cls in sorted(get_mapping_from_secret_type_to_class().items())]
    entropy = tuple(plugin for plugin in plugins if isinstance(plugin, HighEntropyStringsPlugin))
    keyword = tuple(plugin for plugin in plugins if isinstance(plugin, KeywordDetector))
    tokens = tuple(plugin for plugin in plugins if not isinstance(plugin, (HighEntropyStringsPlugin, KeywordDetector)))
    return tokens, keyword, entropy
