"""The freshness and completeness gate: an export that stops early, a month
without rows and a month whose rows collapsed are data-quality findings in
the manifest and the report, and they hold the email (exit 9, nothing sent)
unless `run --force` or [email] send_when_incomplete = true. Uses the real
binary and the loopback SMTP server of test_delivery."""
import json
import shutil

import pytest

from conftest import ROOT, run_opsreport
from test_delivery import ORG, run, smtp, write_config  # noqa: F401 (smtp is a fixture)

HELD = 9


def data_with(tmp_path, name, keep):
    """A copy of sample-data/ where NAME.csv keeps only the data lines keep(line) accepts."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "sample-data", data)
    path = data / f"{name}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + "".join(l for l in lines[1:] if keep(l)), encoding="utf-8")
    return data


def run_on(cfg, data, out, *more, check=None):
    return run_opsreport("run", "--config", cfg, "--period", "2026-10", "--data", data,
                         "--out", out, *more, check=check)


def ship_date(line):
    return line.split(",")[4]


def checks(folder, name):
    man = json.loads((folder / "manifest.json").read_text())
    entry = next(f for f in man["freshness"] if f["input"] == name)
    return man, {c["check"]: c["outcome"] for c in entry["checks"]}


@pytest.mark.parametrize("case", ["stale", "empty"])
def test_incomplete_export_holds_the_email_until_forced(tmp_path, smtp, case):  # noqa: F811
    if case == "stale":
        # shipments stop ten days before the period end (31 October)
        data = data_with(tmp_path, "shipments", lambda l: ship_date(l) <= "2026-10-21")
        name, failed = "shipments", "latest_date"
        words = "shipments: the latest ship_date is 2026-10-21, 10 days before 2026-10-31"
    else:
        # production has no October rows at all
        data = data_with(tmp_path, "production", lambda l: not l.startswith("2026-10"))
        name, failed = "production", "rows_in_period"
        words = "production: no rows in October 2026"
    server = smtp()
    cfg = write_config(tmp_path, server.port)
    out = tmp_path / "out"
    proc = run_on(cfg, data, out, check=HELD)
    assert "held: data incomplete" in proc.stderr and words in proc.stderr
    assert server.messages() == []
    folder = out / "2026-10"
    man, outcome = checks(folder, name)
    assert man["status"] == "held_data_incomplete"
    assert outcome[failed] == "fail"
    assert man.get("deliveries", []) == []
    # every other input's checks are listed too, with an outcome each
    assert all(c["outcome"] in ("pass", "fail", "not_applicable")
               for f in man["freshness"] for c in f["checks"])
    assert checks(folder, "gl_actuals")[1] == {"latest_date": "pass", "rows_in_period": "pass",
                                               "row_count_drop": "pass"}
    # the report is written, and says so first
    message = (folder / "message.txt").read_text()
    assert f"- Data incomplete: {words}" in message
    # a second run without --force still sends nothing
    run_on(cfg, data, out, check=HELD)
    assert server.messages() == []
    # --force sends, and the email says what is missing
    run_on(cfg, data, out, "--force", check=0)
    msgs = server.messages()
    assert sorted(m["X-RcptTo"] for m in msgs) == sorted(ORG)
    for m in msgs:
        assert words in m.get_body(("plain",)).get_content()
    assert checks(folder, name)[0]["status"] == "ok"


def test_send_when_incomplete_sends_without_force(tmp_path, smtp):  # noqa: F811
    data = data_with(tmp_path, "shipments", lambda l: ship_date(l) <= "2026-10-21")
    server = smtp()
    cfg = write_config(tmp_path, server.port, email_extra="send_when_incomplete = true")
    run_on(cfg, data, tmp_path / "out", check=0)
    assert len(server.messages()) == 2


def test_row_count_drop_and_settings(tmp_path, smtp):  # noqa: F811
    # October keeps every other production row: down 50% and a bit
    seen = []

    def keep(line):
        if not line.startswith("2026-10"):
            return True
        seen.append(line)
        return len(seen) % 2 == 0 and len(seen) < 120
    data = data_with(tmp_path, "production", keep)
    server = smtp()
    cfg = write_config(tmp_path, server.port)
    out = tmp_path / "out"
    proc = run_on(cfg, data, out, check=HELD)
    assert "production: 59 rows in October 2026, down 55% from 132 the month before" in proc.stderr
    assert checks(out / "2026-10", "production")[1]["row_count_drop"] == "fail"
    # a wider tolerance and an earlier expect_through are settings of the input
    text = cfg.read_text().replace("[input.production]\n",
                                   "[input.production]\nmax_row_drop_pct = 60\n"
                                   "expect_through = period_end - 5\nmax_staleness_days = 0\n")
    cfg.write_text(text)
    run_on(cfg, data, out, check=0)
    assert len(server.messages()) == 2
    cfg.write_text(text.replace("expect_through = period_end - 5", "expect_through = soon"))
    proc = run_on(cfg, data, out, check=3)
    assert "expect_through" in proc.stderr and "period_end - N" in proc.stderr


def test_no_email_configured_reports_but_exits_0(tmp_path):
    data = data_with(tmp_path, "shipments", lambda l: ship_date(l) <= "2026-10-21")
    out = tmp_path / "out"
    proc = run_on(ROOT / "config" / "opsreport.ini", data, out, check=0)
    assert "Data incomplete: shipments" in proc.stderr
    assert checks(out / "2026-10", "shipments")[1]["latest_date"] == "fail"
