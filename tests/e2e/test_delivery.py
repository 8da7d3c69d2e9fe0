"""End-to-end delivery: a real SMTP server (aiosmtpd) on loopback, started and
stopped by each test, and the real binary. Checks what arrived, exactly-once
across reruns and `send`, fault handling, bursting by site, and that no
secret leaks into any output or log."""
import email
import json
import re
import socket
import subprocess
from email import policy
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_opsreport

PASSWORD = "s3cret-Pa55-xyzzy"
ORG = ["cfo@kestrel.example", "ops@kestrel.example"]


class SmtpServer:
    def __init__(self, maildir, *flags):
        self.dir = Path(maildir)
        self.proc = subprocess.Popen(["/usr/bin/python3", str(ROOT / "tests" / "smtp_server.py"),
                                      "--dir", str(maildir), "--timeout", "120", *flags],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])

    def messages(self):
        new = self.dir / "new"
        out = []
        for f in sorted(new.iterdir()) if new.exists() else []:
            out.append(email.message_from_bytes(f.read_bytes(), policy=policy.default))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def smtp(tmp_path):
    servers = []

    def start(*flags, maildir=None):
        s = SmtpServer(maildir or tmp_path / f"mail{len(servers)}", *flags)
        servers.append(s)
        return s
    yield start
    for s in servers:
        if s.proc.poll() is None:
            s.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(tmp_path, port, extra="", email_extra=""):
    base = (ROOT / "config" / "opsreport.ini").read_text()
    cfg = base + f"""
[email]
enabled = true
smtp_url = smtp://127.0.0.1:{port}
from = opsreport@kestrel.example
from_name = Kestrel opsreport
to = {", ".join(ORG)}
owner = it-admin@kestrel.example
max_attempts = 2
initial_backoff_s = 0.1
retry_budget_s = 2
timeout_s = 10
{email_extra}
{extra}
"""
    path = tmp_path / "opsreport.ini"
    path.write_text(cfg)
    return path


def run(cfg, out, *more, check=None):
    return run_opsreport("run", "--config", cfg, "--period", "2026-10", "--data", ROOT / "sample-data",
                         "--out", out, *more, check=check)


def attachment(msg, name):
    for part in msg.iter_attachments():
        if part.get_filename() == name:
            return part.get_content()
    raise AssertionError(f"no attachment {name}")


def test_delivered_once_with_pdf_and_red_kpis(tmp_path, smtp):
    server = smtp()
    cfg = write_config(tmp_path, server.port)
    out = tmp_path / "out"
    run(cfg, out, check=0)
    msgs = server.messages()
    assert sorted(m["X-RcptTo"] for m in msgs) == sorted(ORG)
    folder = out / "2026-10"
    pdf = (folder / "summary.pdf").read_bytes()
    for m in msgs:
        assert m["Subject"] == "Kestrel Packaging Group operations summary October 2026"
        body = m.get_body(("plain",)).get_content()
        assert "Red: Opex vs budget" in body and "Red: First response within SLA" in body
        assert attachment(m, "summary.pdf") == pdf
    man = json.loads((folder / "manifest.json").read_text())
    states = {d["recipient"]: d["outcome"] for d in man["deliveries"]}
    assert states == {a: "delivered" for a in ORG}
    # a rerun of the period sends nothing again
    run(cfg, out, check=0)
    assert len(server.messages()) == 2


def test_server_down_then_send_delivers_exactly_once(tmp_path, smtp):
    port = free_port()
    cfg = write_config(tmp_path, port)
    out = tmp_path / "out"
    proc = run(cfg, out, check=7)
    assert "not reached" in proc.stderr and "opsreport send" in proc.stderr
    folder = out / "2026-10"
    assert (folder / "summary.pdf").exists() and (folder / "report.xlsx").exists()
    server = smtp("--port", str(port))
    send = run_opsreport("send", "--config", cfg, "--period", "2026-10", "--out", out, check=0)
    assert len(server.messages()) == 2, send.stderr
    run_opsreport("send", "--config", cfg, "--period", "2026-10", "--out", out, check=0)
    assert len(server.messages()) == 2
    man = json.loads((folder / "manifest.json").read_text())
    assert all(d["outcome"] == "delivered" for d in man["deliveries"])


def test_one_recipient_rejected_others_delivered_once(tmp_path, smtp):
    server = smtp("--reject", "ops@kestrel.example")
    cfg = write_config(tmp_path, server.port)
    out = tmp_path / "out"
    proc = run(cfg, out, check=7)
    assert "ops@kestrel.example" in proc.stderr
    msgs = server.messages()
    rcpts = [m["X-RcptTo"] for m in msgs]
    assert rcpts.count("cfo@kestrel.example") == 1
    assert "ops@kestrel.example" not in rcpts
    notice = [m for m in msgs if m["X-RcptTo"] == "it-admin@kestrel.example"]
    assert len(notice) == 1 and "ops@kestrel.example" in notice[0].get_body(("plain",)).get_content()
    man = json.loads((out / "2026-10" / "manifest.json").read_text())
    by = {d["recipient"]: d for d in man["deliveries"]}
    assert by["cfo@kestrel.example"]["outcome"] == "delivered"
    assert by["ops@kestrel.example"]["outcome"] == "failed"
    assert by["ops@kestrel.example"]["smtp_code"] == 550
    # the retry later goes only to the one that failed (still rejected: exit 7, cfo not resent)
    run_opsreport("send", "--config", cfg, "--period", "2026-10", "--out", out, check=7)
    rcpts = [m["X-RcptTo"] for m in server.messages()]
    assert rcpts.count("cfo@kestrel.example") == 1


def site_headcount(site):
    e = pd.read_csv(ROOT / "sample-data" / "employees.csv", dtype=str, encoding="cp1252")
    hire = pd.to_datetime(e["Start Date"], format="%d-%m-%y")
    leave = pd.to_datetime(e["Termination Date"], format="%d-%m-%y", errors="coerce")
    end = pd.Timestamp("2026-10-31")
    return int(((e.Location == site) & (hire <= end) & (leave.isna() | (leave > end))).sum())


def pdf_text(data, tmp_path):
    p = tmp_path / "x.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(p), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_bursting_by_site(tmp_path, smtp):
    server = smtp()
    extra = """
[recipient.leeds]
email = leeds.manager@kestrel.example
scope = Leeds

[recipient.lyon]
email = lyon.manager@kestrel.example
scope = Lyon
"""
    cfg = write_config(tmp_path, server.port, extra=extra)
    run(cfg, tmp_path / "out", check=0)
    msgs = {m["X-RcptTo"]: m for m in server.messages()}
    assert set(msgs) == set(ORG) | {"leeds.manager@kestrel.example", "lyon.manager@kestrel.example"}
    leeds = attachment(msgs["leeds.manager@kestrel.example"], "summary-Leeds.pdf")
    lyon = attachment(msgs["lyon.manager@kestrel.example"], "summary-Lyon.pdf")
    assert leeds != lyon
    for data, site in ((leeds, "Leeds"), (lyon, "Lyon")):
        text = pdf_text(data, tmp_path)
        assert f"Kestrel Packaging Group · October 2026 · {site}" in text
        hc = re.search(r"Headcount\s+([\d,]+)", text)
        assert hc and int(hc.group(1).replace(",", "")) == site_headcount(site), site
    assert "Leeds" in msgs["leeds.manager@kestrel.example"].get_body(("plain",)).get_content()


def test_no_secret_in_outputs_or_logs(tmp_path, smtp, monkeypatch):
    server = smtp("--auth-user", "opsreport", "--auth-password", PASSWORD)
    cfg = write_config(tmp_path, server.port,
                       email_extra="username = opsreport\npassword_env = OPSREPORT_TEST_SMTP_PASSWORD")
    monkeypatch.setenv("OPSREPORT_TEST_SMTP_PASSWORD", PASSWORD)
    out = tmp_path / "out"
    proc = run(cfg, out, "-v", check=0)
    assert len(server.messages()) == 2
    logs = proc.stdout + proc.stderr
    assert PASSWORD not in logs
    for f in (out / "2026-10").rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes(), f
    # a password in the config file is refused outright
    bad = write_config(tmp_path, server.port, email_extra=f"password = {PASSWORD}")
    proc = run(bad, out, check=3)
    assert "never read from the config file" in proc.stderr
    assert PASSWORD not in proc.stderr


def test_dry_run_writes_eml_reproducibly(tmp_path):
    cfg = write_config(tmp_path, free_port())
    a, b = tmp_path / "a", tmp_path / "b"
    run(cfg, a, "--dry-run", check=0)
    run(cfg, b, "--dry-run", check=0)
    emls = sorted((a / "2026-10" / "mail").glob("*.eml"))
    assert len(emls) == 2
    for f in emls:
        assert f.read_bytes() == (b / "2026-10" / "mail" / f.name).read_bytes()
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        assert attachment(msg, "summary.pdf") == (a / "2026-10" / "summary.pdf").read_bytes()
    assert not (a / "2026-10" / "deliveries.json").exists()
