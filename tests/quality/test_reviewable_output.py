"""Emitted files of any set of environments are reviewable: they carry nothing of the machine that made them, and a
synth is reproducible."""

from __future__ import annotations

import difflib
import getpass
import json
import os
import re
import socket
from pathlib import Path

from quality.synth_outputs import Synth
from support import ROOT

# Absolute paths of the usual temporary and home folders, as they would appear in a leaked path.
MACHINE_PATH = re.compile(r"(?<![\w.-])/(?:tmp|root|home|Users|private/var)(?:/|(?![\w.-]))")
# Characters that continue a name: a user or host name only counts when it stands alone (`root@vm`, `/vm/`).
NAME_CHAR = r"[A-Za-z0-9_-]"


def _standalone(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!{NAME_CHAR}){re.escape(word)}(?!{NAME_CHAR})")


def machine_identity(*extra_paths: Path) -> dict[str, re.Pattern[str]]:
    """What identifies this machine, each as a pattern: paths, the user name, the host name."""
    found: dict[str, re.Pattern[str]] = {"a temporary or home folder": MACHINE_PATH}
    paths = {"the home folder": Path.home(), "the repository": ROOT, **{f"{path}": path for path in extra_paths}}
    if os.environ.get("HOME"):
        paths["$HOME"] = Path(os.environ["HOME"])
    for what, path in paths.items():
        for form in {str(path), str(path.resolve())}:
            if form != "/":
                found[f"{what} ({form})"] = re.compile(re.escape(form))
    found[f"the user name {getpass.getuser()!r}"] = _standalone(getpass.getuser())
    for host in {socket.gethostname(), socket.getfqdn()} - {"", "localhost", "localhost.localdomain"}:
        found[f"the host name {host!r}"] = _standalone(host)
    return found


def identity_leaks(files: dict[str, bytes], patterns: dict[str, re.Pattern[str]]) -> list[str]:
    leaks = []
    for relative, content in sorted(files.items()):
        text = content.decode("utf-8", errors="replace")
        for what, pattern in patterns.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                leaks.append(f"{relative}:{line}: {what}: {match.group(0)!r}")
    return leaks


def outdir_files(outdir: Path) -> dict[str, bytes]:
    return {path.relative_to(outdir).as_posix(): path.read_bytes() for path in outdir.rglob("*") if path.is_file()}


def test_relocated_synth_emits_the_manifest_and_every_stack(relocated_synth, synth_set):
    stacks = json.loads((synth_set.outdir / "manifest.json").read_text())["stacks"].values()
    expected = {"cdktf.out/manifest.json", *(f"cdktf.out/{stack['synthesizedStackPath']}" for stack in stacks)}
    assert expected <= set(relocated_synth.files)


def test_no_emitted_file_names_a_path_user_or_host_of_the_machine(relocated_synth):
    synth: Synth = relocated_synth
    patterns = machine_identity(synth.root, Path(synth.environment["HOME"]), Path(synth.environment["TMPDIR"]))
    patterns[f"the synth's user name {synth.environment['USER']!r}"] = _standalone(synth.environment["USER"])
    if "ENVIRONMENTS_DIR" in synth.environment:  # a folder of environment files outside the copy
        patterns.update(machine_identity(Path(synth.environment["ENVIRONMENTS_DIR"])))
    leaks = identity_leaks(synth.files, patterns)
    assert not leaks, "emitted files name this machine:\n" + "\n".join(leaks)


def test_in_process_synth_names_no_path_user_or_host_of_the_machine(synth_set):
    # The session's own synth runs inside the repository, with this machine's HOME and user.
    patterns = machine_identity(synth_set.outdir, synth_set.environments_dir)
    leaks = identity_leaks(outdir_files(synth_set.outdir), patterns)
    assert not leaks, "synthesized files name this machine:\n" + "\n".join(leaks)


def test_leak_finder_reports_a_home_path_with_file_and_line():
    files = {"cdktf.out/stacks/x/cdk.tf.json": b'{\n  "path": "/home/alice/.kube/config"\n}\n'}
    assert identity_leaks(files, {"a temporary or home folder": MACHINE_PATH}) == [
        "cdktf.out/stacks/x/cdk.tf.json:2: a temporary or home folder: '/home/'"
    ]


def test_leak_finder_counts_a_user_name_only_where_it_stands_alone():
    text = b"readOnlyRootFilesystem rootfs root-ca\nssh root@vm"
    assert identity_leaks({"f": text}, {"u": _standalone("root")}) == ["f:2: u: 'root'"]


def differences(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    """A unified diff (first lines) per file that differs or exists on one side only."""
    found = []
    for name in sorted(set(first) | set(second)):
        if first.get(name) != second.get(name):
            diff = difflib.unified_diff(
                first.get(name, b"").decode(errors="replace").splitlines(keepends=True),
                second.get(name, b"").decode(errors="replace").splitlines(keepends=True),
                fromfile=f"a/{name}" if name in first else "/dev/null",
                tofile=f"b/{name}" if name in second else "/dev/null",
                n=1,
            )
            found.append("".join(diff)[:2000])
    return found


def test_two_synths_at_different_paths_are_byte_identical(relocated_synth, synth_set):
    # The subprocess synth ran in a copy elsewhere, with another HOME, user, TMPDIR and canary secrets; the
    # session's synth ran in-process inside the repository.
    relocated = {
        name.removeprefix("cdktf.out/"): content
        for name, content in relocated_synth.files.items()
        if name.startswith("cdktf.out/")
    }
    found = differences(outdir_files(synth_set.outdir), relocated)
    assert not found, "synths differ:\n" + "\n".join(found)


def test_emitted_files_outside_cdktf_out_equal_the_committed_ones(relocated_synth):
    # GitOps manifests are committed: regenerating them elsewhere must give the same bytes.
    emitted = {name: content for name, content in relocated_synth.files.items() if not name.startswith("cdktf.out/")}
    committed = {name: (ROOT / name).read_bytes() for name in emitted if (ROOT / name).is_file()}
    found = differences(committed, {name: emitted[name] for name in committed})
    assert not found, "regenerated files differ from the committed ones (run `make synth`):\n" + "\n".join(found)


def test_differences_show_a_changed_line():
    assert differences({"f": b"a\nb\n"}, {"f": b"a\nc\n"}) == ["--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"]
