"""End-to-end delivery: a real SMTP server (aiosmtpd) on loopback, started and
stopped by each test, and the real binary. Checks what arrived, exactly-once
across reruns and `send`, fault handling, bursting by site, and that no
secret leaks into any output or log."""
import email
import json
import re
import shutil
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


# ---- faults: tests/fault_smtp.py ---------------------------------------------
# The ambiguous case SMTP cannot rule out: the whole message reached the
# server and the connection failed before its reply. Such a delivery is
# "unknown": never retried by run or send, reported to the owner, and sent
# again only on `send --resend-unknown`. Failures before the end of the
# message stay transient and are retried.

class FaultServer:
    """tests/fault_smtp.py on a loopback port; stops by itself after 120 s."""

    def __init__(self, maildir, *flags):
        self.dir = Path(maildir)
        self.proc = subprocess.Popen(["/usr/bin/python3", str(ROOT / "tests" / "fault_smtp.py"),
                                      "--dir", str(maildir), "--timeout", "120", "--stall", "20",
                                      *flags], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])

    def messages(self, rcpt=None):
        """Every message that reached the server in full, whatever the client was told."""
        new = self.dir / "new"
        msgs = [email.message_from_bytes(f.read_bytes(), policy=policy.default)
                for f in sorted(new.iterdir())] if new.exists() else []
        return [m for m in msgs if rcpt is None or m["X-RcptTo"] == rcpt]

    def events(self, **match):
        path = self.dir / "events.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        evs = [json.loads(x) for x in lines]
        return [e for e in evs if all(e.get(k) == v for k, v in match.items())]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def fault(tmp_path):
    servers = []

    def start(*flags):
        s = FaultServer(tmp_path / f"fault{len(servers)}", *flags)
        servers.append(s)
        return s
    yield start
    for s in servers:
        if s.proc.poll() is None:
            s.stop()


# More attempts than the base config, so "not retried" is visible: a retry
# would have room to happen. Timeouts short enough for the stall cases.
FAULT_EMAIL = "max_attempts = 4\ninitial_backoff_s = 0.05\nretry_budget_s = 10\ntimeout_s = 2"
OPS = "ops@kestrel.example"
CFO = "cfo@kestrel.example"
OWNER = "it-admin@kestrel.example"


@pytest.fixture(scope="module")
def dry_folder(tmp_path_factory):
    """One run folder for 2026-10 (outputs and message texts, nothing sent),
    copied by the tests that only need `send`."""
    base = tmp_path_factory.mktemp("dryrun")
    cfg = write_config(base, free_port())
    run(cfg, base / "out", "--dry-run", check=0)
    return base / "out" / "2026-10"


def copy_run(dry_folder, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(dry_folder, out / "2026-10", ignore=shutil.ignore_patterns("mail"))
    return out


def send(cfg, out, *more, check=None):
    return run_opsreport("send", "--config", cfg, "--period", "2026-10", "--out", out, *more,
                         check=check)


def ledger(out):
    folder = out / "2026-10"
    led = json.loads((folder / "deliveries.json").read_text())
    man = json.loads((folder / "manifest.json").read_text())
    # the manifest mirrors the ledger record for record
    assert man["deliveries"] == led["deliveries"]
    return {d["recipient"]: d for d in led["deliveries"]}


def test_drop_after_data_is_unknown_never_resent_until_resend_unknown(tmp_path, fault):
    # The server takes the whole message for ops@, then drops before its 250
    # (once; afterwards it behaves). Before this, run and send together
    # delivered that message 8 times.
    server = fault("--fault", "drop-after-data", "--rcpt", OPS, "--times", "1")
    cfg = write_config(tmp_path, server.port, email_extra=FAULT_EMAIL)
    out = tmp_path / "out"
    proc = run(cfg, out, check=7)
    assert "1 of 2 deliveries unknown" in proc.stderr, proc.stderr
    assert "--resend-unknown" in proc.stderr
    assert len(server.messages(OPS)) == 1 and len(server.messages(CFO)) == 1
    assert len(server.events(cmd="DATA", addr=OPS)) == 1  # no second attempt
    by = ledger(out)
    assert by[OPS]["outcome"] == "unknown" and by[OPS]["attempts"] == 1
    assert by[CFO]["outcome"] == "delivered"
    notice = server.messages(OWNER)
    assert len(notice) == 1
    assert notice[0]["Subject"] == "opsreport: 1 delivery unknown for 2026-10"
    text = notice[0].get_body(("plain",)).get_content()
    assert OPS in text and by[OPS]["message_id"] in text
    assert "opsreport send --period 2026-10 --resend-unknown" in text
    assert CFO not in text

    # a later send does not mail it again either (and says why, exit 7)
    proc = send(cfg, out, check=7)
    assert "is unknown" in proc.stderr and "--resend-unknown" in proc.stderr
    assert len(server.messages(OPS)) == 1 and len(server.messages(CFO)) == 1
    assert ledger(out)[OPS]["outcome"] == "unknown"

    # once someone has checked: --resend-unknown sends it, exactly once more
    send(cfg, out, "--resend-unknown", check=0)
    assert len(server.messages(OPS)) == 2 and len(server.messages(CFO)) == 1
    by = ledger(out)
    assert by[OPS]["outcome"] == "delivered" and by[CFO]["outcome"] == "delivered"
    send(cfg, out, "--resend-unknown", check=0)
    send(cfg, out, check=0)
    assert len(server.messages(OPS)) == 2 and len(server.messages(CFO)) == 1


def test_stall_after_data_is_unknown(tmp_path, fault, dry_folder):
    server = fault("--fault", "stall-after-data", "--rcpt", OPS, "--times", "1")
    cfg = write_config(tmp_path, server.port, email_extra=FAULT_EMAIL)
    out = copy_run(dry_folder, tmp_path)
    proc = send(cfg, out, check=7)
    assert "is unknown" in proc.stderr and "timeout" in proc.stderr, proc.stderr
    assert len(server.events(cmd="DATA", addr=OPS)) == 1
    assert len(server.messages(OPS)) == 1
    assert ledger(out)[OPS]["outcome"] == "unknown"
    send(cfg, out, check=7)
    assert len(server.events(cmd="DATA", addr=OPS)) == 1


def test_stall_before_data_is_transient_and_retried(tmp_path, fault, dry_folder):
    # no reply to the DATA command: nothing of the message went out
    server = fault("--fault", "stall-before-data", "--rcpt", OPS, "--times", "1")
    cfg = write_config(tmp_path, server.port, email_extra=FAULT_EMAIL)
    out = copy_run(dry_folder, tmp_path)
    send(cfg, out, check=0)
    assert len(server.messages(OPS)) == 1 and len(server.messages(CFO)) == 1
    by = ledger(out)
    assert by[OPS]["outcome"] == "delivered" and by[OPS]["attempts"] == 2


def test_451_after_data_is_transient_retried_then_delivered(tmp_path, fault, dry_folder):
    server = fault("--fault", "451-after-data", "--rcpt", OPS, "--times", "2")
    cfg = write_config(tmp_path, server.port, email_extra=FAULT_EMAIL)
    out = copy_run(dry_folder, tmp_path)
    send(cfg, out, check=0)
    assert len(server.events(cmd="DATA", addr=OPS)) == 3
    assert len(server.messages(OPS)) == 1  # the two 451s were not taken
    by = ledger(out)
    assert by[OPS]["outcome"] == "delivered" and by[OPS]["attempts"] == 3


def test_451_after_data_every_time_fails_and_send_retries(tmp_path, fault, dry_folder):
    server = fault("--fault", "451-after-data", "--rcpt", OPS)
    cfg = write_config(tmp_path, server.port, email_extra=FAULT_EMAIL)
    out = copy_run(dry_folder, tmp_path)
    proc = send(cfg, out, check=7)
    assert "1 of 2 recipients not reached" in proc.stderr, proc.stderr
    assert "451 4.3.0" in proc.stderr
    assert len(server.events(cmd="DATA", addr=OPS)) == 4  # max_attempts
    rec = ledger(out)[OPS]
    assert rec["outcome"] == "failed" and rec["smtp_code"] == 451
    notice = server.messages(OWNER)
    assert notice and notice[0]["Subject"] == "opsreport: 1 recipient not reached for 2026-10"
    # failed, unlike unknown, is tried again by the next send
    send(cfg, out, check=7)
    assert len(server.events(cmd="DATA", addr=OPS)) == 8


def test_421_at_connect_is_transient(tmp_path, fault, dry_folder):
    server = fault("--fault", "421-at-connect", "--times", "1")
    cfg = write_config(tmp_path, server.port, email_extra=FAULT_EMAIL)
    out = copy_run(dry_folder, tmp_path)
    send(cfg, out, check=0)
    assert len(server.messages(OPS)) == 1 and len(server.messages(CFO)) == 1
    assert sorted(d["attempts"] for d in ledger(out).values()) == [1, 2]


# ---- header injection ----------------------------------------------------------

EVIL = "\r\nBcc: evil@example.com"


@pytest.mark.parametrize("key,extra", [
    ("from_name", "[email]\nfrom_name = Kestrel\rBcc: evil@example.com"),
    ("reply_to", "[email]\nreply_to = ops@kestrel.example\rBcc: evil@example.com"),
    ("to", "[email]\nto = cfo@kestrel.example\rBcc: evil@example.com"),
    ("owner", "[email]\nowner = it-admin@kestrel.example\rBcc: evil@example.com"),
    ("from", "[email]\nfrom = opsreport@kestrel.example\rBcc: evil@example.com"),
    ("organisation", "[report]\norganisation = Kestrel\rBcc: evil@example.com"),
    ("email", "[recipient.leeds]\nemail = leeds@kestrel.example\rBcc: evil@example.com"),
    ("scope", "[recipient.leeds]\nemail = leeds@kestrel.example\nscope = Leeds\rBcc: evil@example.com"),
    # the only way to a line break inside an INI value: a continuation line
    ("from_name", "[email]\nfrom_name = Kestrel\n  Bcc: evil@example.com"),
    ("to", "[email]\nto = cfo@kestrel.example,\n  evil@example.com"),
])
def test_header_injection_in_config_is_refused_naming_the_key(tmp_path, fault, key, extra):
    server = fault()
    cfg = write_config(tmp_path, server.port, extra=extra + "\n")
    proc = run(cfg, tmp_path / "out", check=3)
    assert f"key '{key}': " in proc.stderr, proc.stderr
    assert "\r" not in proc.stderr  # shown escaped, never echoed raw
    assert not (tmp_path / "out" / "2026-10").exists()
    assert server.events(event="connect") == []


def test_crlf_bcc_in_config_is_a_config_error(tmp_path, fault):
    # A real CR LF ends the line: "Bcc: ..." becomes a key of its own and the
    # load stops on it, before anything is sent.
    server = fault()
    cfg = write_config(tmp_path, server.port, email_extra=f"from_name = Kestrel{EVIL}")
    proc = run(cfg, tmp_path / "out", check=3)
    assert "Bcc" in proc.stderr
    assert server.events(event="connect") == []


def test_line_breaks_in_subject_from_data_never_make_headers(tmp_path, smtp, dry_folder):
    server = smtp()
    cfg = write_config(tmp_path, server.port)
    out = copy_run(dry_folder, tmp_path)
    msg = out / "2026-10" / "message.txt"
    body = msg.read_text().split("\n\n", 1)[1]
    # the subject line comes from templates and data: organisation, site names
    msg.write_text(f"Kestrel\r\nBcc: evil@example.com\rX-Evil: 1\nsummary\n\n{body}")
    send(cfg, out, check=0)
    msgs = server.messages()
    assert sorted(m["X-RcptTo"] for m in msgs) == sorted(ORG)
    for m in msgs:
        assert m["Bcc"] is None and m["X-Evil"] is None
        assert m["Subject"] == "Kestrel Bcc: evil@example.com X-Evil: 1 summary"
        assert m["To"] == m["X-RcptTo"]
    raw = (server.dir / "new")
    for f in raw.iterdir():
        head = f.read_bytes().split(b"\r\n\r\n", 1)[0]
        assert not re.search(rb"^(Bcc|X-Evil):", head, re.M | re.I)
