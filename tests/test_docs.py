"""The docs (README.md, docs/*.md) name only what exists: make targets and their variables, files and folders of
the repository, and stacks (and HCP Terraform workspaces) that the example environments really have.

Names are read from code (`...` spans and fenced blocks) and from Markdown links. A placeholder (`<env>`,
`<stack>`, ...) stands for any value: `apps-<env>` passes when `apps` is a stack kind. The known stacks are those
of a synth of environments/*.yaml, so the check follows whatever environments a team writes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from config import load_environments
from config.backend import BackendType
from main import ENVIRONMENTS_DIR
from support import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Files whose comments point at paths too.
COMMENTED = [ROOT / "Pipfile", ROOT / "Makefile", ROOT / "cdktf.json"]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
PLACEHOLDER = re.compile(r"<[^<>/\s]+>")
MAKE = re.compile(r"(?:^|[\s;(`])make\s+([a-z][\w-]*)((?:\s+[A-Z][A-Z0-9_]*=\S*)*)")
MAKE_VARIABLE = re.compile(r"\s+([A-Z][A-Z0-9_]*)=")
# What is created by running the project (or lives outside it): mentioned, but not committed.
NOT_COMMITTED = {"cdktf.out", "cdktf.out.staging", "state", "locks", ".terraform", ".tools", ".venv", "..", "~"}
# A path outside the top-level entries is still this repository's when it names one of its kinds of files (a
# package's lib/index.js is not).
EXTENSIONS = (".py", ".md", ".yaml", ".yml")
PATH = re.compile(r"[\w.<>-]+(?:/[\w.<>*-]*)+|[\w<>-]+(?:\.[\w<>-]+)*\.(?:py|md|yaml|yml|json|js|hcl|toml|sh|ini)")


def code_of(text: str) -> list[str]:
    """Every code span and fenced block of a Markdown text."""
    blocks = FENCE.findall(text)
    prose = FENCE.sub("", text)
    # A span may wrap onto the next line of its paragraph.
    return blocks + [re.sub(r"\s*\n\s*", " ", span) for span in SPAN.findall(prose)]


def doc_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return {target for line in re.findall(r"^([\w .-]+?)\s*:(?!=)", text, re.M) for target in line.split()}


@cache
def makefile_variables() -> set[str]:
    return set(re.findall(r"\$[({]([A-Z][A-Z0-9_]*)[)}]", (ROOT / "Makefile").read_text()))


@cache
def generated_folders() -> tuple[str, ...]:
    """The folders .gitignore anchors to the top (``/tests/terraform/.generated/``): made by running the project,
    so a doc may name them before they exist."""
    lines = (ROOT / ".gitignore").read_text().splitlines()
    return tuple(line.strip("/") + "/" for line in lines if line.startswith("/") and line.endswith("/"))


def exists(relative: str) -> bool:
    """A repository path, with placeholders as wildcards; a bare module name (``review.py``) may be anywhere."""
    pattern = PLACEHOLDER.sub("*", relative.rstrip("/"))
    if (pattern + "/").startswith(generated_folders()):
        return True
    if "/" not in pattern and not (ROOT / pattern).exists():
        return any(".venv" not in path.parts for path in ROOT.rglob(pattern))
    return any(ROOT.glob(pattern)) if "*" in pattern else (ROOT / pattern).exists()


def repository_paths(code: str) -> list[str]:
    """Relative paths in a piece of code that name something committed to this repository."""
    top_level = {path.name for path in ROOT.iterdir()}
    found = []
    for match in PATH.finditer(code):
        path = match.group(0).rstrip(".,:;")
        start = code[max(0, match.start() - 1) : match.start()]
        if start in ("/", ".", "$", "{", "@", ":") or "://" in code[match.start() : match.end() + 3]:
            continue  # part of an absolute path, a URL, a variable or a host name
        first = path.split("/", 1)[0]
        if first in NOT_COMMITTED or first.startswith("<") or PLACEHOLDER.fullmatch(first):
            continue
        if "/" in path:
            # a/b names a repository path when a is a top-level entry, or when it names a file by its extension
            if first in top_level or path.endswith(EXTENSIONS):
                found.append(path)
        elif path in top_level or path.endswith(".py"):
            found.append(path)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_make_target_the_docs_mention_exists(doc):
    missing = [
        f"make {target}"
        for code in code_of(doc.read_text())
        for target, _ in MAKE.findall(code)
        if target not in makefile_targets()
    ]
    assert missing == [], f"{doc_id(doc)} mentions targets the Makefile lacks"


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_make_variable_the_docs_pass_is_read_by_the_makefile(doc):
    unread = [
        f"make {target}{variables}"
        for code in code_of(doc.read_text())
        for target, variables in MAKE.findall(code)
        for variable in MAKE_VARIABLE.findall(variables)
        if variable not in makefile_variables()
    ]
    assert unread == [], f"{doc_id(doc)} passes variables the Makefile does not read"


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_repository_path_the_docs_mention_exists(doc):
    missing = [path for code in code_of(doc.read_text()) for path in repository_paths(code) if not exists(path)]
    assert missing == [], f"{doc_id(doc)} names paths that do not exist"


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_link_of_the_docs_leads_to_a_file_of_the_repository(doc):
    links = [link for link in LINK.findall(doc.read_text()) if "://" not in link and not link.startswith("#")]
    targets = [link.split("#")[0] for link in links]
    missing = [target for target in targets if target and not (doc.parent / target).exists()]
    assert missing == [], f"{doc_id(doc)} links to files that do not exist"


@pytest.mark.parametrize("path", COMMENTED, ids=doc_id)
def test_every_repository_path_in_project_file_comments_exists(path):
    comments = [line.split("#", 1)[1] for line in path.read_text().splitlines() if "#" in line]
    missing = [found for comment in comments for found in repository_paths(comment) if not exists(found)]
    assert missing == [], f"{doc_id(path)} comments name paths that do not exist"


# --- stacks and workspaces ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def known(example_outdir) -> dict[str, set[str]]:
    """What the example environments synthesize: stack names, stack kinds, and the HCP Terraform workspace
    names of the environments with a cloud backend."""
    stacks = set(json.loads((example_outdir / "manifest.json").read_text())["stacks"])
    environments = load_environments(ENVIRONMENTS_DIR, root=ROOT)
    kinds = {
        stack.removesuffix(f"-{env.name}") for env in environments for stack in stacks if stack.endswith(f"-{env.name}")
    }
    workspaces = {
        env.backend.workspace(stack)
        for env in environments
        if env.backend.type is BackendType.CLOUD
        for stack in stacks
        if stack.endswith(f"-{env.name}")
    }
    prefixes = {env.backend.cloud.workspace_prefix for env in environments if env.backend.type is BackendType.CLOUD}
    names = {env.name for env in environments}
    return {"stacks": stacks, "kinds": kinds, "environments": names, "workspaces": workspaces, "prefixes": prefixes}


def stack_mentions(code: str, kinds: set[str], environments: set[str]) -> list[str]:
    """Stack names in code: the stack argument of make and cdktf commands and of cdktf.out/stacks/<stack> paths,
    and a whole code span `<kind>-<env>` for one of ``environments`` (`secrets-rg` is a resource group)."""
    kind = "|".join(sorted(map(re.escape, kinds), key=len, reverse=True))
    name = rf"(?:{kind})-(?:[a-z][a-z0-9]*|<[^<>]+>)"
    span = re.fullmatch(rf"(?:{kind})-([a-z][a-z0-9]*|<[^<>]+>)", code)
    found = [code] if span and (span[1] in environments or PLACEHOLDER.fullmatch(span[1])) else []
    for pattern in (rf"STACK=({name})\b", rf"cdktf(?:-cli@[\d.]+)? \w+ ({name})\b", rf"stacks/({name})/"):
        found += re.findall(pattern, code)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_stack_the_docs_name_exists_in_the_example_environments(doc, known):
    unknown = [
        name
        for code in code_of(doc.read_text())
        for name in stack_mentions(code, known["kinds"], known["environments"])
        if not PLACEHOLDER.search(name) and name not in known["stacks"]
    ]
    assert unknown == [], f"{doc_id(doc)} names stacks that do not exist ({', '.join(sorted(known['stacks']))})"


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_workspace_the_docs_name_exists_in_the_example_environments(doc, known):
    prefix = "|".join(map(re.escape, sorted(known["prefixes"]))) or r"(?!)"
    kind = "|".join(sorted(map(re.escape, known["kinds"]), key=len, reverse=True))
    workspace = re.compile(rf"(?:{prefix})-(?:{kind})-(?:[a-z][a-z0-9]*|<[^<>]+>)")
    unknown = [
        code
        for code in code_of(doc.read_text())
        if workspace.fullmatch(code) and not PLACEHOLDER.search(code) and code not in known["workspaces"]
    ]
    assert unknown == [], f"{doc_id(doc)} names workspaces that do not exist ({', '.join(sorted(known['workspaces']))})"


# --- the checks themselves -----------------------------------------------------------------------------------------


def test_a_stack_name_with_a_placeholder_passes_and_a_made_up_one_is_found():
    kinds, environments = {"azure", "eso", "eso-config"}, {"qa", "live"}
    assert stack_mentions("eso-config-<env>", kinds, environments) == ["eso-config-<env>"]
    assert stack_mentions("eso-config-live", kinds, environments) == ["eso-config-live"]
    assert stack_mentions("make deploy STACK=eso-config-staging", kinds, environments) == ["eso-config-staging"]
    assert stack_mentions("terraform -chdir=cdktf.out/stacks/azure-qa/ state list", kinds, environments) == ["azure-qa"]
    assert stack_mentions("the azure-secrets module", kinds, environments) == []
    assert stack_mentions("eso-app", kinds, environments) == []


def test_paths_are_told_from_api_groups_urls_and_generated_folders():
    assert repository_paths("see project/runtime.py and docs/eso.md") == ["project/runtime.py", "docs/eso.md"]
    assert repository_paths("environments/<env>.yaml") == ["environments/<env>.yaml"]
    assert repository_paths("helm.sh/resource-policy external-secrets.io/v1 https://example.com/a.md") == []
    assert repository_paths("cdktf.out/stacks/<stack>/cdk.tf.json state/azure-dev.tfstate ../shared/eso/") == []


def test_make_mentions_are_read_with_their_variables():
    assert MAKE.findall("UPDATE_SNAPSHOTS=1 make test; make deploy STACK=azure-dev ARGS=--auto-approve") == [
        ("test", ""),
        ("deploy", " STACK=azure-dev ARGS=--auto-approve"),
    ]


def test_a_git_ignored_generated_folder_may_be_named_before_it_exists_and_a_made_up_one_may_not():
    assert exists("tests/terraform/.generated/")
    assert not exists("tests/terraform/.made-up/")
