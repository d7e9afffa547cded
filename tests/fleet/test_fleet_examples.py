"""The fleet examples run for real where they can: the workflow's scripts, the SSH loop (with a
fake `ssh` that runs the remote command locally against fixture hosts) and the playbook's
commands. Every ccpolicy command line in them must parse with the real argument parser."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet_data import WEB_01, WEB_02
from gitrepo import commit, isolate_git_config, isolated_env, make_repo

from scanner.cli import build_parser
from scanner.report.jsonout import render_json

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "fleet"
BIN = Path(sys.executable).parent
SETTINGS = '{\n  "env": {\n    "DISABLE_TELEMETRY": "0"\n  }\n}\n'

pytestmark = pytest.mark.skipif(
    shutil.which("ccpolicy", path=str(BIN)) is None, reason="ccpolicy not installed"
)

FAKE_SSH = """#!/bin/sh
# A stand-in for ssh: runs the remote command locally in $FLEET_HOSTS/<host>.
stdin_closed=no
while [ $# -gt 0 ]; do
    case "$1" in
        -n) stdin_closed=yes; shift ;;
        -o) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
host=$1
shift
echo "$host" >> "$FLEET_HOSTS/ssh.log"
# Real ssh forwards its stdin to the remote side: without -n it would eat the caller's input.
[ "$stdin_closed" = yes ] || cat > /dev/null
if [ ! -d "$FLEET_HOSTS/$host" ]; then
    echo "ssh: connect to host $host port 22: Connection refused" >&2
    exit 255
fi
cd "$FLEET_HOSTS/$host" && PATH="$FLEET_REMOTE_BIN:$PATH" exec sh -c "$*"
"""

CANNED_REMOTE_CCPOLICY = """#!/bin/sh
# The "remote" ccpolicy: the expected command prints this host's recorded output.
[ "$*" = "scan --host --format json --fail-on never" ] || { echo "unexpected: $*" >&2; exit 97; }
cat output.json
"""

REAL_REMOTE_CCPOLICY = f"""#!/bin/sh
# The "remote" ccpolicy: a real host scan of this fixture host's filesystem.
exec {BIN / "ccpolicy"} "$@" --root "$PWD/root" --os linux
"""


def _script(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = isolated_env(extra)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', os.defpath)}"
    env.pop("CI", None)
    return env


def _ccpolicy_commands(script: str) -> list[list[str]]:
    """Every `ccpolicy ...` command of a shell script, as argv (redirections dropped)."""
    commands = []
    for raw in script.splitlines():
        line = raw.strip()
        if line.startswith("ccpolicy "):
            commands.append(shlex.split(re.split(r"\s(?:>>|>|\|\|)\s", line)[0]))
    return commands


def _parses(argv: list[str]) -> None:
    assert argv[0] == "ccpolicy"
    parser = build_parser(argv[1])
    try:
        parser.parse_args(argv[1:])
    except SystemExit as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"ccpolicy does not accept: {shlex.join(argv)}") from exc


# GitHub Actions ---------------------------------------------------------------------------------


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load((EXAMPLES / "github-org-audit.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    for step in job["steps"]:
        if step.get("name") == name:
            return step  # type: ignore[no-any-return]
    raise AssertionError(f"no step named {name!r}")


def _run_step(step: dict[str, Any], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # What GitHub runs for `run:` on Linux: bash --noprofile --norc -eo pipefail {0}.
    script = cwd / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    workdir = cwd / step.get("working-directory", ".")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_workflow_shape() -> None:
    workflow = _workflow()
    jobs = workflow["jobs"]
    assert list(jobs) == ["repositories", "scan", "report"]
    assert workflow[True] == {
        "schedule": [{"cron": "17 5 * * 1"}],
        "workflow_dispatch": None,
    }  # YAML 1.1 "on"
    assert workflow["permissions"] == {"contents": "read"}
    scan, report = jobs["scan"], jobs["report"]
    assert scan["needs"] == "repositories"
    assert scan["strategy"]["matrix"] == "${{ fromJSON(needs.repositories.outputs.matrix) }}"
    assert scan["strategy"]["fail-fast"] is False
    upload = scan["steps"][-1]
    assert upload["uses"] == "actions/upload-artifact@v4"
    assert upload["with"]["name"] == "ccpolicy-${{ matrix.name }}"
    assert report["needs"] == "scan"
    assert report["if"] == "${{ !cancelled() }}"
    download = next(step for step in report["steps"] if step.get("uses") == "actions/download-artifact@v4")
    assert download["with"] == {"pattern": "ccpolicy-*", "path": "out", "merge-multiple": True}


def test_workflow_commands_use_existing_flags() -> None:
    commands = [
        argv
        for job in _workflow()["jobs"].values()
        for step in job["steps"]
        if "run" in step
        for argv in _ccpolicy_commands(step["run"])
    ]
    assert [argv[1] for argv in commands] == ["scan", "merge", "report", "report"]
    for argv in commands:
        _parses(argv)


def test_workflow_lists_repositories_for_the_matrix(tmp_path: Path) -> None:
    (tmp_path / "ccpolicy").mkdir()
    (tmp_path / "ccpolicy" / "repos.txt").write_text(
        "# audited\nexample-org/svc-a\n\nexample-org/svc-b  # team b\n", encoding="utf-8"
    )
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    step = _step(_workflow()["jobs"]["repositories"], "List repositories")
    done = _run_step(step, tmp_path, _env({"GITHUB_OUTPUT": str(output)}))
    assert done.returncode == 0, done.stderr
    key, _, value = output.read_text(encoding="utf-8").strip().partition("=")
    assert key == "matrix"
    assert json.loads(value) == {
        "include": [
            {"repo": "example-org/svc-a", "name": "example-org-svc-a"},
            {"repo": "example-org/svc-b", "name": "example-org-svc-b"},
        ]
    }


def test_workflow_scan_and_report_jobs_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)
    jobs = _workflow()["jobs"]
    collected = tmp_path / "artifacts"
    collected.mkdir()
    for name, files in (
        ("org-svc-a", {".claude/settings.json": SETTINGS}),
        ("org-svc-b", {"README.md": "hi\n"}),
    ):
        runner = tmp_path / name
        runner.mkdir()
        commit(make_repo(runner, "target"), files, "initial")  # what actions/checkout leaves in ./target
        done = _run_step(_step(jobs["scan"], "Scan"), runner, _env({"NAME": name}))
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""
        shutil.copy(runner / "out" / f"{name}.json", collected / f"{name}.json")
    report_runner = tmp_path / "report"
    report_runner.mkdir()
    shutil.copytree(collected, report_runner / "out")  # download-artifact with merge-multiple
    summary = tmp_path / "step_summary.md"
    done = _run_step(
        _step(jobs["report"], "Merge and report"), report_runner, _env({"GITHUB_STEP_SUMMARY": str(summary)})
    )
    assert done.returncode == 0, done.stderr
    merged = json.loads((report_runner / "fleet.json").read_text(encoding="utf-8"))
    assert [t["target"] for t in merged["targets"]] == ["org-svc-a", "org-svc-b"]
    assert {f["target"] for f in merged["findings"]} == {"org-svc-a"}
    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("## ccpolicy fleet report\n\n**2 targets (2 repositories)** · ")
    assert "#### org-svc-a" in markdown
    assert "No active findings: org-svc-b." in markdown
    assert done.stdout.startswith(
        "ccpolicy fleet report\n\n2 targets (2 repositories); 0 could not be scanned.\n"
    )


# SSH ------------------------------------------------------------------------------------------------


def _ssh_world(tmp_path: Path, remote_ccpolicy: str) -> tuple[dict[str, str], Path]:
    shims = tmp_path / "shims"
    shims.mkdir()
    _script(shims / "ssh", FAKE_SSH)
    remote_bin = tmp_path / "remote-bin"
    remote_bin.mkdir()
    _script(remote_bin / "ccpolicy", remote_ccpolicy)
    hosts = tmp_path / "hosts"
    hosts.mkdir()
    env = _env({"FLEET_HOSTS": str(hosts), "FLEET_REMOTE_BIN": str(remote_bin)})
    env["PATH"] = f"{shims}{os.pathsep}{env['PATH']}"
    return env, hosts


def _run_ssh_scan(tmp_path: Path, env: dict[str, str], hosts_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(EXAMPLES / "ssh-scan.sh"), str(hosts_file), "out"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ssh_loop_collects_merges_and_reports(tmp_path: Path) -> None:
    env, hosts = _ssh_world(tmp_path, CANNED_REMOTE_CCPOLICY)
    for name, result in (("web-01", WEB_01), ("web-02", WEB_02)):
        (hosts / name).mkdir()
        (hosts / name / "output.json").write_text(render_json([(name, result)]), encoding="utf-8")
    hosts_file = tmp_path / "hosts.txt"
    hosts_file.write_text("# production\nweb-01\n\n  web-03   # decommissioned?\nweb-02", encoding="utf-8")
    done = _run_ssh_scan(tmp_path, env, hosts_file)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        "ccpolicy: web-03: scan failed (ssh exit 255; see out/hosts/web-03.json.log)\n"
        "ccpolicy: scanned 2 of 3 hosts\n"
    )
    assert (hosts / "ssh.log").read_text(encoding="utf-8") == "web-01\nweb-03\nweb-02\n"
    assert sorted(p.name for p in (tmp_path / "out" / "hosts").iterdir()) == [
        "web-01.json",
        "web-02.json",
        "web-03.json",
        "web-03.json.log",
    ]
    assert (tmp_path / "out" / "hosts" / "web-03.json.log").read_text(encoding="utf-8") == (
        "ssh: connect to host web-03 port 22: Connection refused\n"
    )
    merged = json.loads((tmp_path / "out" / "fleet.json").read_text(encoding="utf-8"))
    assert [(t["target"], t["kind"]) for t in merged["targets"]] == [
        ("web-01", "host"),
        ("web-02", "host"),
        ("web-03", "host"),
    ]
    report = subprocess.run(
        [str(BIN / "ccpolicy"), "report", "out/fleet.json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert done.stdout == report
    assert "3 targets (3 hosts); 1 could not be scanned." in report
    assert report.endswith(
        "Could not be scanned\n  web-03: ssh or ccpolicy exited with status 255\n\n"
        "Suppressed (waivers and inline ignores)\n  web-01  CCP205  1\n"
    )


def test_ssh_loop_with_real_host_scans(tmp_path: Path) -> None:
    env, hosts = _ssh_world(tmp_path, REAL_REMOTE_CCPOLICY)
    for name, value in (("web-01", "0"), ("web-02", "1")):
        settings = hosts / name / "root" / "home" / "dev" / ".claude" / "settings.json"
        settings.parent.mkdir(parents=True)
        settings.write_text(f'{{"env": {{"DISABLE_TELEMETRY": "{value}"}}}}\n', encoding="utf-8")
        (hosts / name / "root" / "etc").mkdir()
    hosts_file = tmp_path / "hosts.txt"
    hosts_file.write_text("web-01\nweb-02\n", encoding="utf-8")
    done = _run_ssh_scan(tmp_path, env, hosts_file)
    if "not available in this build" in (tmp_path / "out" / "hosts" / "web-01.json").read_text(
        encoding="utf-8"
    ):
        pytest.skip("host scans are not available in this build")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "ccpolicy: scanned 2 of 2 hosts\n"
    merged = json.loads((tmp_path / "out" / "fleet.json").read_text(encoding="utf-8"))
    assert [t["kind"] for t in merged["targets"]] == ["host", "host"]
    assert len({t["target"] for t in merged["targets"]}) == 2
    assert merged["findings"]
    assert "2 targets (2 hosts); 0 could not be scanned." in done.stdout


def test_ssh_loop_usage_and_empty_host_list(tmp_path: Path) -> None:
    env, _ = _ssh_world(tmp_path, CANNED_REMOTE_CCPOLICY)
    usage = subprocess.run(
        ["sh", str(EXAMPLES / "ssh-scan.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (usage.returncode, usage.stderr) == (
        2,
        f"usage: {EXAMPLES / 'ssh-scan.sh'} HOSTS_FILE [OUT_DIR]\n",
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    done = _run_ssh_scan(tmp_path, env, empty)
    assert (done.returncode, done.stderr) == (2, f"ccpolicy: {empty} lists no hosts\n")


def test_ssh_script_commands_use_existing_flags() -> None:
    script = (EXAMPLES / "ssh-scan.sh").read_text(encoding="utf-8")
    remote = re.search(r"remote_command='([^']*)'", script)
    assert remote is not None
    _parses(shlex.split(remote.group(1)))
    local = [
        shlex.split(
            line.split("||")[0]
            .replace('"$out"/hosts/*.json', "a.json")
            .replace('"$out/fleet.json"', "f.json")
        )
        for line in script.splitlines()
        if line.startswith("ccpolicy ")
    ]
    assert [argv[1] for argv in local] == ["merge", "report"]
    for argv in local:
        _parses(argv)


# Ansible --------------------------------------------------------------------------------------------


def _playbook() -> list[dict[str, Any]]:
    data = yaml.safe_load((EXAMPLES / "ansible-playbook.yml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def _render(text: str, out: Path) -> str:
    """The playbook's two Jinja expressions, as Ansible would render them here."""
    return text.replace("{{ ccpolicy_out | quote }}", shlex.quote(str(out))).replace(
        "{{ ccpolicy_out }}", str(out)
    )


def test_playbook_shape_and_flags() -> None:
    scan_play, report_play = _playbook()
    assert (scan_play["hosts"], report_play["hosts"], report_play["connection"]) == (
        "all",
        "localhost",
        "local",
    )
    scan, save = scan_play["tasks"]
    assert scan["ansible.builtin.command"]["argv"] == [
        "ccpolicy",
        "scan",
        "--host",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]
    _parses(scan["ansible.builtin.command"]["argv"])
    assert scan["register"] == "ccpolicy_scan"
    assert save["delegate_to"] == "localhost"
    assert save["ansible.builtin.copy"]["dest"] == "{{ ccpolicy_out }}/hosts/{{ inventory_hostname }}.json"
    merge, report, show = report_play["tasks"]
    _parses(shlex.split(_render(merge["ansible.builtin.shell"], Path("/o"))))
    _parses(_render(" ".join(report["ansible.builtin.command"]["argv"]), Path("/o")).split())
    assert show["ansible.builtin.debug"]["msg"] == "{{ ccpolicy_report.stdout_lines }}"


def test_playbook_commands_run_on_collected_outputs(tmp_path: Path) -> None:
    scan_play, report_play = _playbook()
    out = tmp_path / "ccpolicy out"
    (out / "hosts").mkdir(parents=True)
    for name, result in (("web-01", WEB_01), ("web-02", WEB_02)):
        # What the copy task writes: the scan's stdout (Ansible strips its trailing newline) plus "\n".
        content = scan_play["tasks"][1]["ansible.builtin.copy"]["content"]
        assert content == "{{ ccpolicy_scan.stdout }}\n"
        (out / "hosts" / f"{name}.json").write_text(
            render_json([(name, result)]).rstrip("\n") + "\n", encoding="utf-8"
        )
    merge, report, _ = report_play["tasks"]
    env = _env()
    subprocess.run(["sh", "-c", _render(merge["ansible.builtin.shell"], out)], env=env, check=True)
    argv = [_render(arg, out) for arg in report["ansible.builtin.command"]["argv"]]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.startswith("## ccpolicy fleet report\n\n**2 targets (2 hosts)** · ")
    assert "| web-01 | host | 1 | 1 | 0 | 0 | 0 | 1 |" in done.stdout
