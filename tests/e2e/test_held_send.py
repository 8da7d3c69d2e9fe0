"""A held run stays held for `send` (issue #12): when `run` held the email
because an input looks stale (freshness gate, exit 9), a later
`opsreport send` of that period refuses too, naming the failed checks from
manifest.json, until `send --force`. Real binary, loopback SMTP server."""
import json

from conftest import run_opsreport
from test_delivery import ORG, smtp, write_config  # noqa: F401 (smtp is a fixture)
from test_freshness import HELD, data_with, run_on, ship_date


def send(cfg, out, *more, check=None):
    return run_opsreport("send", "--config", cfg, "--period", "2026-10", "--out", out, *more,
                         check=check)


def test_send_refuses_a_held_run_until_forced(tmp_path, smtp):  # noqa: F811
    data = data_with(tmp_path, "shipments", lambda l: ship_date(l) <= "2026-10-21")
    server = smtp()
    cfg = write_config(tmp_path, server.port)
    out = tmp_path / "out"
    run_on(cfg, data, out, check=HELD)
    folder = out / "2026-10"
    before = json.loads((folder / "manifest.json").read_text())
    assert before["status"] == "held_data_incomplete"

    proc = send(cfg, out, check=HELD)
    assert "held" in proc.stderr and "--force" in proc.stderr, proc.stderr
    # the failed check and its detail, as the manifest records them
    assert ("shipments: the latest ship_date is 2026-10-21, 10 days before 2026-10-31" in proc.stderr
            and "[check latest_date]" in proc.stderr), proc.stderr
    assert "gl_actuals" not in proc.stderr  # passed checks are not listed
    assert server.messages() == []
    assert not (folder / "deliveries.json").exists()
    assert json.loads((folder / "manifest.json").read_text()) == before

    send(cfg, out, "--force", check=0)
    assert sorted(m["X-RcptTo"] for m in server.messages()) == sorted(ORG)
    # forced once is delivered once: a second send mails nobody again
    send(cfg, out, "--force", check=0)
    send(cfg, out, check=HELD)
    assert len(server.messages()) == 2


def test_send_of_a_run_that_was_not_held_needs_no_force(tmp_path, smtp):  # noqa: F811
    data = data_with(tmp_path, "shipments", lambda l: True)
    server = smtp()
    cfg = write_config(tmp_path, server.port, email_extra="enabled = false")
    out = tmp_path / "out"
    run_on(cfg, data, out, check=0)
    assert json.loads((out / "2026-10" / "manifest.json").read_text())["status"] == "ok"
    send(cfg, out, check=0)
    assert len(server.messages()) == 2
