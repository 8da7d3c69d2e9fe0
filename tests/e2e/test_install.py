"""End-to-end tests of installing and operating opsreport.

Installing: `make install` into a staging DESTDIR (the files, the units and
the config with the installed paths, uninstall leaving the DESTDIR empty),
into a throwaway PREFIX (the installed program, run from another folder with
only the installed files, writes the same reports as the checkout's), the man
page (renders, names every command, option and config key), the bash
completion, and `make deb` (lintian-clean; the paths and fields dpkg-deb
shows).

Operating: `opsreport check` (exit codes and messages of the command line;
the cases themselves are in tests/unit/test_check.c), `opsreport runs`,
--log-format json, and the progress line on a terminal.
"""
import fcntl
import json
import os
import pty
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT, run_opsreport

VERSION = re.search(r'#define OPSREPORT_VERSION "(.*)"',
                    (ROOT / "include/opsreport/common.h").read_text()).group(1)
TEMPLATES = sorted(p.name for p in (ROOT / "templates").iterdir())


def make(*args, check=True):
    proc = subprocess.run(["make", "--no-print-directory", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def tree(root):
    """Every file and folder under root, as sorted relative paths (folders end in /)."""
    root = Path(root)
    return sorted(str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*"))


def installed_files(prefix="usr/local", etc="etc"):
    return sorted([f"{prefix}/bin/opsreport"]
                  + [f"{prefix}/share/opsreport/templates/{t}" for t in TEMPLATES]
                  + [f"{prefix}/share/opsreport/installed-dirs",
                     f"{prefix}/share/man/man1/opsreport.1",
                     f"{prefix}/share/bash-completion/completions/opsreport",
                     f"{prefix}/lib/systemd/system/opsreport.service",
                     f"{prefix}/lib/systemd/system/opsreport.timer",
                     f"{prefix}/share/doc/opsreport/examples/opsreport.ini",
                     f"{prefix}/share/doc/opsreport/examples/opsreport.cron",
                     f"{prefix}/share/doc/opsreport/install.md",
                     f"{etc}/opsreport/opsreport.ini"])


# ---- make install into a DESTDIR ----------------------------------------------

@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    dest = tmp_path_factory.mktemp("destdir")
    make("install", f"DESTDIR={dest}")
    return dest


def test_install_puts_every_file_in_place(staged):
    files = [p for p in tree(staged) if not p.endswith("/")]
    assert files == installed_files()
    assert os.access(staged / "usr/local/bin/opsreport", os.X_OK)
    assert (staged / "usr/local/bin/opsreport").read_bytes() == Path(BIN).read_bytes()
    for t in TEMPLATES:
        assert (staged / "usr/local/share/opsreport/templates" / t).read_bytes() == \
            (ROOT / "templates" / t).read_bytes()


def test_units_cron_and_man_page_name_the_installed_paths(staged):
    service = (staged / "usr/local/lib/systemd/system/opsreport.service").read_text()
    assert "ExecStartPre=/usr/local/bin/opsreport check -q --data /srv/exports\n" in service
    assert "ExecStart=/usr/local/bin/opsreport run -q --data /srv/exports\n" in service
    assert "EnvironmentFile=-/etc/opsreport/smtp.env\n" in service
    assert "StateDirectory=opsreport\n" in service
    timer = (staged / "usr/local/lib/systemd/system/opsreport.timer").read_text()
    assert "OnCalendar=*-*-03 06:00:00 UTC\n" in timer and "WantedBy=timers.target" in timer
    cron = (staged / "usr/local/share/doc/opsreport/examples/opsreport.cron").read_text()
    assert "opsreport /usr/local/bin/opsreport check -q --data /srv/exports && " \
           "/usr/local/bin/opsreport run -q --data /srv/exports" in cron
    man = (staged / "usr/local/share/man/man1/opsreport.1").read_text()
    assert "/usr/local/share/opsreport/templates/" in man and "/etc/opsreport/opsreport.ini" in man
    for f in tree(staged):
        if (staged / f).is_file() and f != "usr/local/bin/opsreport":
            assert not re.search(r"@[A-Z]+@", (staged / f).read_text()), f"a placeholder left in {f}"


def test_the_servers_config_writes_to_var_lib(staged):
    example = (staged / "usr/local/share/doc/opsreport/examples/opsreport.ini").read_text()
    assert example == (ROOT / "config/opsreport.ini").read_text()
    etc = (staged / "etc/opsreport/opsreport.ini").read_text().splitlines()
    assert etc[0].startswith("; /etc/opsreport/opsreport.ini, installed from the example")
    out = etc.index("[output]")
    assert etc[out + 1].startswith("dir = /var/lib/opsreport ")
    assert etc[1:out + 1] + etc[out + 2:] == example.splitlines()[1:]


def test_man_page_renders_and_names_every_command_option_and_key(staged):
    page = staged / "usr/local/share/man/man1/opsreport.1"
    proc = subprocess.run(["man", "--warnings", "--nh", "--nj", "-E", "UTF-8", "-l", str(page)], capture_output=True,
                          text=True, env={**os.environ, "MANWIDTH": "100", "MAN_KEEP_FORMATTING": ""})
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    text = re.sub(r"[\u2010\u2011]", "-", proc.stdout)
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "CONFIGURATION", "EXIT STATUS",
                    "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"):
        assert re.search(rf"^{section}$", text, re.M), section
    top = run_opsreport("--help", check=0).stdout
    commands = re.findall(r"^  (\w+)\s", top.split("Commands:")[1].split("\n\n")[0], re.M)
    assert {"check", "run", "validate", "send", "runs", "forecast", "generate"} <= set(commands)
    for cmd in commands:
        assert re.search(rf"^   opsreport {cmd}$", text, re.M), cmd
        for opt in re.findall(r"^\s+(--[\w-]+|-\w)", run_opsreport(cmd, "--help", check=0).stdout, re.M):
            assert opt in text, f"{cmd} {opt}"
    codes = re.findall(r"^\s+(\d+)\s{2,}", top.split("Exit codes:")[1], re.M)
    assert {"0", "2", "3", "4", "5", "6", "7", "8", "70"} <= set(codes)
    exit_status = text.split("\nEXIT STATUS\n")[1].split("\nENVIRONMENT\n")[0]
    for code in codes:
        assert re.search(rf"^       {code}\s", exit_status, re.M), code
    # every section and key the loader knows (its tables in pipeline/core/config.c)
    source = (ROOT / "pipeline/core/config.c").read_text()
    tables = re.findall(r"static const char \*const (\w+)\[\] = \{(.*?)\};", source, re.S)
    assert len(tables) >= 10
    for table, body in tables:
        for key in re.findall(r'"([^"]+)"', body):
            name = re.sub(r"<(\w+)>", lambda m: m.group(1).upper(), key)  # col.<field> -> col.FIELD
            if table == "section_names":
                name = f"[{name}]"
            assert name in text, f"config {table} {key} is not in the man page"


def test_bash_completion_completes_commands_and_options(staged):
    script = f"""
source /usr/share/bash-completion/bash_completion
source {staged}/usr/local/share/bash-completion/completions/opsreport
comp() {{ COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}; read -ra COMP_WORDS <<<"$*"
  [[ $COMP_LINE == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
  COMPREPLY=(); _opsreport opsreport; echo "${{COMPREPLY[*]}}"; }}
comp "opsreport r"
comp "opsreport check --"
comp "opsreport run --log-format "
comp "opsreport --config x.ini runs --"
"""
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{Path(BIN).parent}:{os.environ['PATH']}"})
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and len(lines) == 4, proc.stdout + proc.stderr
    assert lines[0].split() == ["run", "runs"]
    assert set(lines[1].split()) == {"--config", "--data", "--out", "--templates", "--log-format", "--quiet",
                                     "--help"}
    assert lines[2].split() == ["text", "json"]
    assert set(lines[3].split()) == {"--config", "--out", "--verbose", "--log-format", "--help"}


def test_uninstall_leaves_the_destdir_empty(tmp_path):
    make("install", f"DESTDIR={tmp_path}")
    make("install", f"DESTDIR={tmp_path}")  # a second install changes nothing
    assert [p for p in tree(tmp_path) if not p.endswith("/")] == installed_files()
    proc = make("uninstall", f"DESTDIR={tmp_path}")
    assert "removed" in proc.stdout
    assert tree(tmp_path) == []


def test_uninstall_keeps_a_changed_config(tmp_path):
    make("install", f"DESTDIR={tmp_path}")
    etc = tmp_path / "etc/opsreport/opsreport.ini"
    etc.write_text(etc.read_text().replace("organisation = Kestrel", "organisation = Acme"))
    proc = make("install", f"DESTDIR={tmp_path}")
    assert f"kept {etc} (exists" in proc.stdout
    assert "organisation = Acme" in etc.read_text()
    proc = make("uninstall", f"DESTDIR={tmp_path}")
    assert f"kept {etc} (changed since it was installed)" in proc.stdout
    assert tree(tmp_path) == ["etc/", "etc/opsreport/", "etc/opsreport/opsreport.ini"]


# ---- the installed program, from another folder ------------------------------

@pytest.fixture(scope="module")
def prefix():
    """A real install into a prefix under build/ (its own build, the prefix's paths
    compiled in; incremental across test runs), uninstalled at the end."""
    base = ROOT / "build" / "e2e-install"
    pre = base / "prefix"
    args = [f"BUILD={base / 'build'}", f"PREFIX={pre}", f"SYSCONFDIR={pre / 'etc'}"]
    if pre.exists():
        make("uninstall", *args)
    make("install", *args)
    yield pre
    make("uninstall", *args)
    assert not pre.exists(), tree(pre)


def test_installed_program_writes_the_same_reports(prefix, tmp_path):
    data = tmp_path / "exports"
    shutil.copytree(ROOT / "sample-data", data)
    # the same --config text for both runs: the config path is printed in the reports
    examples = prefix / "share/doc/opsreport/examples"
    runs = {}
    for name, binary, cwd in (("installed", prefix / "bin/opsreport", examples),
                              ("checkout", Path(BIN), ROOT / "config")):
        out = tmp_path / name
        proc = subprocess.run([str(binary), "run", "--config", "opsreport.ini", "--period", "2026-10",
                               "--data", str(data), "--out", str(out)], cwd=cwd, capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        runs[name] = out / "2026-10"
    a, b = (json.loads((runs[n] / "manifest.json").read_text()) for n in ("installed", "checkout"))
    assert a["outputs"] == b["outputs"]
    assert {o["name"] for o in a["outputs"]} >= {"report.xlsx", "summary.pdf", "message.txt", "rejects.csv"}
    for o in a["outputs"]:
        assert (runs["installed"] / o["name"]).read_bytes() == (runs["checkout"] / o["name"]).read_bytes()
    assert a["run_id"] == b["run_id"]


def test_installed_program_defaults_to_its_etc_config_and_output_dir(prefix, tmp_path):
    data = tmp_path / "exports"
    shutil.copytree(ROOT / "sample-data", data)
    proc = subprocess.run([str(prefix / "bin/opsreport"), "check", "--data", str(data)], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 6), proc.stdout + proc.stderr
    assert f"config     {prefix}/etc/opsreport/opsreport.ini: 16 inputs" in proc.stdout
    assert re.search(r"^output     /var/lib/opsreport\b", proc.stdout, re.M) or \
        "/var/lib/opsreport: the output folder" in proc.stderr
    proc = subprocess.run([str(prefix / "bin/opsreport"), "runs"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert "/var/lib/opsreport" in proc.stdout + proc.stderr


# ---- the Debian package ---------------------------------------------------------

def test_deb_builds_lintian_clean_with_the_expected_contents():
    proc = make("deb")  # fails on any lintian error
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    built = re.search(r"^  DEB (\S+)$", proc.stdout, re.M)
    assert built, proc.stdout
    deb = ROOT / built.group(1)
    assert deb.name == f"opsreport_{VERSION}-1_{arch}.deb" and deb.exists()
    assert not re.search(r"^E: ", proc.stdout + proc.stderr, re.M)
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    paths = sorted(line.split()[-1].lstrip(".") for line in listing.splitlines()
                   if not line.startswith("d"))
    assert paths == sorted(["/usr/bin/opsreport", "/etc/opsreport/opsreport.ini",
                            "/lib/systemd/system/opsreport.service", "/lib/systemd/system/opsreport.timer",
                            "/usr/share/man/man1/opsreport.1.gz",
                            "/usr/share/bash-completion/completions/opsreport",
                            "/usr/share/doc/opsreport/copyright", "/usr/share/doc/opsreport/changelog.Debian.gz",
                            "/usr/share/doc/opsreport/install.md",
                            "/usr/share/doc/opsreport/examples/opsreport.ini",
                            "/usr/share/doc/opsreport/examples/opsreport.cron",
                            "/usr/share/lintian/overrides/opsreport"]
                           + [f"/usr/share/opsreport/templates/{t}" for t in TEMPLATES])
    assert re.search(r"^-rwxr-xr-x root/root .* \./usr/bin/opsreport$", listing, re.M)

    def field(name):
        return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert field("Package") == "opsreport"
    assert field("Version") == f"{VERSION}-1"
    assert field("Architecture") == arch
    depends = [d.split()[0] for d in field("Depends").split(", ")]
    for pkg in ("libc6", "libcsv3", "libcurl4", "libglib2.0-0", "libgsl27", "libhpdf-2.3.0", "libinih1",
                "libjansson4", "libxlsxwriter4", "fonts-dejavu-core"):
        assert pkg in depends, field("Depends")
    conffiles = subprocess.run(["dpkg-deb", "-I", str(deb), "conffiles"], capture_output=True, text=True,
                               check=True).stdout
    assert conffiles.split() == ["/etc/opsreport/opsreport.ini"]
    service = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    assert b"ExecStart=/usr/bin/opsreport run -q --data /srv/exports" in service


# ---- opsreport check -------------------------------------------------------------

def write_config(path, text):
    path.write_text(text)
    return path


CHECK_CASES = [
    # (name, config text or None for the sample config, extra args, exit code, stderr lines)
    ("sample config", None, [], 0, []),
    ("two config problems, listed at once",
     "[report]\ncurrency = EURO\n\n[output]\npaper = a3\n", [], 3,
     ["{cfg}:2: key 'currency': expected a 3-letter ISO 4217 code such as EUR, found 'EURO'",
      "{cfg}:5: key 'paper': expected a4 or letter, found 'a3'"]),
    ("a missing input",
     "[input.items]\nfile = items.csv\n", ["--data", "{tmp}"], 4,
     ["{tmp}/items.csv: cannot open input '{tmp}/items.csv' ([input.items] file = items.csv): "
      "No such file or directory"]),
    ("no config at all", False, [], 3,
     ["{cfg}: cannot open config file: No such file or directory"]),
]


@pytest.mark.parametrize("name,ini,args,code,errors", CHECK_CASES, ids=[c[0] for c in CHECK_CASES])
def test_check_command(tmp_path, name, ini, args, code, errors):
    cfg = ROOT / "config/opsreport.ini" if ini is None else tmp_path / "c.ini"
    if ini:
        cfg.write_text(ini)
    fill = {"cfg": str(cfg), "tmp": str(tmp_path)}
    argv = ["check", "--config", cfg, "--out", tmp_path / "out"]
    argv += [a.format(**fill) for a in args] if args else ["--data", ROOT / "sample-data"]
    proc = run_opsreport(*argv)
    assert proc.returncode == code, proc.stdout + proc.stderr
    got = [re.sub(r"^\S+Z opsreport: error: ", "", line) for line in proc.stderr.splitlines()]
    assert got == [e.format(**fill) for e in errors]
    last = proc.stdout.splitlines()[-1]
    assert last == (f"check: {len(errors)} problem{'s' if len(errors) != 1 else ''}" if errors
                    else "check: no problems")
    quiet = run_opsreport(*argv, "-q")
    assert quiet.returncode == code and quiet.stdout == ""


def test_check_lists_each_input_and_reads_nothing_else(tmp_path):
    proc = run_opsreport("check", "--config", "config/opsreport.ini", "--data", "sample-data",
                         "--out", tmp_path / "out", check=0)
    lines = proc.stdout.splitlines()
    assert lines[0] == "config     config/opsreport.ini: 16 inputs, 28 [kpi] sections, 4 forecasts, " \
                       "0 [recipient] sections"
    assert "email      off" in lines
    assert f"output     {tmp_path}/out (created by the first run)" in lines
    assert "input      gl_actuals       sample-data/gl_actuals.csv: header maps 6 of 6 fields" in lines
    assert sum(line.startswith("input      ") for line in lines) == 16
    assert not (tmp_path / "out").exists()


def test_check_problems_as_json(tmp_path):
    cfg = write_config(tmp_path / "c.ini", "[report]\ncurrency = EURO\n")
    proc = run_opsreport("check", "--config", cfg, "--out", tmp_path, "--log-format", "json", "-q")
    assert proc.returncode == 3
    [line] = proc.stderr.splitlines()
    obj = json.loads(line)
    assert list(obj) == ["time", "level", "message"] and obj["level"] == "error"
    assert obj["message"] == f"{cfg}:2: key 'currency': expected a 3-letter ISO 4217 code such as EUR, found 'EURO'"


# ---- opsreport runs --------------------------------------------------------------

def fake_run(out, period, status="ok", deliveries=None, manifest=True):
    d = out / period
    d.mkdir(parents=True)
    if manifest:
        m = {"opsreport_version": VERSION, "run_id": f"{period}-x", "period": period, "status": status,
             "inputs": [{"name": "gl_actuals", "rows_read": 100, "rows_rejected": 2},
                        {"name": "tickets", "rows_read": 50, "rows_rejected": 0}],
             "outputs": [{"name": "report.xlsx", "bytes": 10, "sha256": "0"},
                         {"name": "summary.pdf", "bytes": 20, "sha256": "1"}]}
        if deliveries is not None:
            m["deliveries"] = [{"recipient": r, "message_id": "<x>", "time": "2026-11-03T06:01:00Z",
                                "outcome": o, "attempts": 1, "smtp_code": 250, "smtp_reply": ""}
                               for r, o in deliveries]
        (d / "manifest.json").write_text(json.dumps(m))
        os.utime(d / "manifest.json", (1793685660, 1793685660))  # 2026-11-03 06:01 UTC
    return d


def test_runs_lists_every_run_folder(tmp_path, sample_run):
    out = tmp_path / "out"
    shutil.copytree(sample_run, out / "2026-10")
    fake_run(out, "2026-08", deliveries=[("cfo@x.example", "delivered"), ("ops@x.example", "delivered"),
                                         ("hr@x.example", "failed"), ("it@x.example", "unknown")])
    fake_run(out, "2026-07", status="rejects_over_threshold")
    fake_run(out, "2026-09", manifest=False)
    fake_run(out, "2026-06", deliveries=[("cfo@x.example", "pending")])
    (out / "notes").mkdir()                       # not a run folder
    running = fake_run(out, "2026-05", deliveries=[])
    lock = open(running / ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)              # a run of the month in progress
    try:
        proc = run_opsreport("runs", "--out", out, check=0)
    finally:
        lock.close()
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["PERIOD", "STATUS", "WRITTEN", "INPUTS", "ROWS", "REJECTED", "OUTPUTS",
                                "DELIVERY"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert rows["2026-05"].split()[1:3] == ["ok", "(rerunning)"]
    assert rows["2026-06"].endswith("  1 pending")
    assert rows["2026-07"].split()[1:9] == ["rejects_over_threshold", "2026-11-03", "06:01Z", "2", "150", "2",
                                            "2", "not"]
    assert rows["2026-08"].endswith("  2 delivered, 1 failed, 1 unknown")
    assert rows["2026-09"].split() == ["2026-09", "no", "manifest", "-", "-", "-", "-", "-", "-"]
    man = json.loads((out / "2026-10/manifest.json").read_text())
    read = sum(i["rows_read"] for i in man["inputs"])
    rejected = sum(i["rows_rejected"] for i in man["inputs"])
    assert rows["2026-10"].split()[1] == "ok"
    assert rows["2026-10"].split()[4:8] == ["16", str(read), str(rejected), str(len(man["outputs"]))]
    assert rows["2026-10"].endswith("  not sent")

    verbose = run_opsreport("runs", "--out", out, "-v", check=0).stdout
    assert "          output    report.xlsx (10 bytes)\n" in verbose
    assert "          delivery  hr@x.example: failed 2026-11-03T06:01:00Z\n" in verbose


def test_runs_with_no_runs_yet(tmp_path):
    proc = run_opsreport("runs", "--out", tmp_path / "none", check=0)
    assert proc.stdout == f"no run folders in {tmp_path}/none (the folder does not exist yet)\n"
    proc = run_opsreport("runs", "--out", tmp_path, check=0)
    assert proc.stdout == f"no run folders in {tmp_path}\n"


def test_runs_takes_the_output_folder_from_the_config(tmp_path):
    cfg = write_config(tmp_path / "c.ini", "[output]\ndir = reports\n")
    fake_run(tmp_path / "reports", "2026-10")
    proc = run_opsreport("runs", "--config", cfg, check=0)
    assert proc.stdout.splitlines()[1].startswith("2026-10   ok ")


# ---- --log-format json -------------------------------------------------------------

def json_lines(stderr):
    objs = [json.loads(line) for line in stderr.splitlines()]
    for o in objs:
        assert list(o) == ["time", "level", "message"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", o["time"])
        assert o["level"] in ("error", "warning", "info", "debug")
    return objs


def test_log_format_json_one_object_per_line(tmp_path):
    proc = run_opsreport("run", "--config", "config/opsreport.ini", "--period", "2026-10", "--data",
                         "sample-data", "--out", tmp_path, "--log-format", "json", "-v")
    assert proc.returncode == 0, proc.stderr
    objs = json_lines(proc.stderr)
    assert {o["level"] for o in objs} == {"debug", "info"}
    assert objs[-1]["level"] == "info"
    assert objs[-1]["message"].startswith("2026-10: ") and "manifest.json" in objs[-1]["message"]
    assert any(o["message"].startswith("config config/opsreport.ini (sha256 ") for o in objs)


def test_log_format_json_errors_and_environment(tmp_path):
    proc = run_opsreport("validate", "--config", tmp_path / "none.ini", "--log-format", "json")
    assert proc.returncode == 3
    [obj] = json_lines(proc.stderr)
    assert obj["level"] == "error"
    assert obj["message"] == f"{tmp_path}/none.ini: cannot open config file: No such file or directory"
    # the environment asks for JSON too (a systemd unit's Environment=), here for send
    env = {**os.environ, "OPSREPORT_LOG_FORMAT": "json"}
    proc = subprocess.run([BIN, "send", "--config", "config/opsreport.ini", "--period", "2026-10",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 4
    [obj] = json_lines(proc.stderr)
    assert obj["message"] == f"{tmp_path}/2026-10/manifest.json: no run folder for 2026-10: " \
                             "run 'opsreport run --period 2026-10' first"
    proc = run_opsreport("run", "--log-format", "xml")
    assert proc.returncode == 2
    assert proc.stderr == "opsreport: --log-format expects text or json, found 'xml'\n"


# ---- progress on a terminal -----------------------------------------------------------

def gl_only_config(tmp_path, file):
    text = (ROOT / "config/opsreport.ini").read_text()
    sections = re.split(r"(?m)^(?=\[)", text)
    keep = [s for s in sections if s.startswith(("[report]", "[output]", "[input.gl_actuals]"))]
    cfg = tmp_path / "gl.ini"
    cfg.write_text("".join(keep).replace("file = gl_actuals.csv", f"file = {file}"))
    return cfg


def test_progress_is_silent_when_stderr_is_not_a_terminal(tmp_path):
    proc = run_opsreport("run", "--config", "config/opsreport.ini", "--period", "2026-10", "--data",
                         "sample-data", "--out", tmp_path)
    assert proc.returncode == 0
    assert "\r" not in proc.stderr and "MB/s" not in proc.stderr


def test_progress_on_a_terminal(tmp_path):
    """The GL comes through a pipe, half of it after a pause: the run is long
    enough for the progress line whatever the machine's speed."""
    lines = (ROOT / "sample-data/gl_actuals.csv").read_bytes().splitlines(keepends=True)
    fifo = tmp_path / "gl.csv"
    os.mkfifo(fifo)
    cfg = gl_only_config(tmp_path, "gl.csv")

    def feed():
        with open(fifo, "wb") as f:
            f.writelines(lines[:5000])
            f.flush()
            time.sleep(1.5)
            f.writelines(lines[5000:])
    writer = threading.Thread(target=feed)
    writer.start()
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execv(BIN, [BIN, "run", "--config", str(cfg), "--data", str(tmp_path), "--period", "2026-10",
                       "--out", str(tmp_path / "out")])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    writer.join()
    text = output.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    shown = re.findall(r"\rgl_actuals: (\d+) rows, (\d+\.\d) MB, (\d+\.\d) MB/s\x1b\[K", text)
    assert shown, repr(text[:500])
    assert all(int(rows) >= 4096 for rows, _, _ in shown)
    assert "\r\x1b[K" in text                      # the line is cleared before the closing log line
    assert re.search(r"opsreport: 2026-10: \d+ rows read", text)
