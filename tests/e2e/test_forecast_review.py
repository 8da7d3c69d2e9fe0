"""End-to-end forecast review: a history of run folders built with the
generator (runs for 2026-07, -08, -09, then -10 with an overrides file), the
October review read back from the workbook, forecasts.csv, rejects.csv,
manifest.json and the PDF text, and checked against figures this test
computes itself from the earlier snapshots (forecasts.csv) and the GL actuals
of the generated CSV files. Nothing expected is copied from the program."""
import csv
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, run_opsreport

RUNS = ["2026-07", "2026-08", "2026-09", "2026-10"]
SEPT_OVERRIDES = ("series,period,value,pct_change,reason,author\n"
                  "gl_revenue,2026-10,6100000.00,,Trade fair orders,A. Finance\n")
OCT_OVERRIDES = ("series,period,value,pct_change,reason,author\n"
                 "gl_revenue,2026-12,6500000.00,,Large order from Acme confirmed,J. Smith\n"
                 "gl_opex,2026-11,,2.5%,,K. Lee\n"
                 "nosuch_series,2026-11,1,,typo,K. Lee\n"
                 "gl_revenue,2030-01,1,,too far,K. Lee\n"
                 "gl_opex,2026-12,,-3,Hiring freeze,K. Lee\n")


def eu_cents(s):
    s = str(s).strip()
    neg = s.endswith("-")
    s = s.rstrip("-").replace(".", "").replace(",", ".")
    v = round(float(s) * 100)
    return -v if neg else v


def read_snapshot(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def snap_row(rows, series, period, step):
    hits = [r for r in rows if r["series"] == series and r["period"] == period and int(r["step"]) == step]
    assert len(hits) == 1, (series, period, step)
    return hits[0]


def cents(text):
    whole, _, frac = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((frac + "00")[:2]))


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    base = tmp_path_factory.mktemp("review")
    data, out = base / "data", base / "out"
    run_opsreport("generate", "--out", data, "--period", "2026-10", check=0)
    plain = base / "plain.ini"
    plain.write_text((ROOT / "config" / "opsreport.ini").read_text())
    ovr = base / "ovr.ini"
    ovr.write_text(plain.read_text() + "\n[forecast]\noverrides = overrides.csv\n")
    logs = {}
    for p in RUNS:
        cfg = plain
        if p == "2026-09":
            (data / "overrides.csv").write_text(SEPT_OVERRIDES)
            cfg = ovr
        elif p == "2026-10":
            (data / "overrides.csv").write_text(OCT_OVERRIDES)
            cfg = ovr
        proc = run_opsreport("run", "--config", cfg, "--period", p, "--data", data, "--out", out, "-v", check=0)
        logs[p] = proc.stderr
    return {"base": base, "data": data, "out": out, "ovr": ovr, "logs": logs}


@pytest.fixture(scope="module")
def actuals(history):
    """Monthly GL actuals in cents by type, from the generated CSV."""
    df = pd.read_csv(history["data"] / "gl_actuals.csv", sep=";", dtype=str, encoding="utf-8-sig")
    df["date"] = pd.to_datetime(df["Posting Date"], format="%d.%m.%Y", errors="coerce")
    df = df[df["date"].notna() & df["Account Type"].str.lower().isin(["revenue", "cogs", "opex"])]
    df["cents"] = df["Amount (EUR)"].map(eu_cents)
    df["period"] = df["date"].dt.to_period("M").astype(str)
    df["type"] = df["Account Type"].str.lower()
    return df.groupby(["type", "period"]).cents.sum()


def review_sheet(history, period="2026-10"):
    wb = openpyxl.load_workbook(history["out"] / period / "report.xlsx", data_only=True)
    return [r for r in wb["Forecast review"].iter_rows(values_only=True)]


def table(rows, first_header, label):
    """The row whose first cell is label, in the table whose header starts with first_header
    and whose second header cell is the given one."""
    for i, r in enumerate(rows):
        if r[0] == "Series" and r[1] == first_header:
            for s in rows[i + 1:]:
                if s[0] == label:
                    return s
                if s[0] is None:
                    break
    raise AssertionError((first_header, label))


def test_every_run_writes_a_snapshot_recorded_in_the_manifest(history):
    for p in RUNS:
        folder = history["out"] / p
        rows = read_snapshot(folder / "forecasts.csv")
        assert list(rows[0].keys()) == ["series", "period", "step", "point", "lo80", "hi80", "lo95", "hi95",
                                        "override", "final", "model", "run_id"]
        man = json.loads((folder / "manifest.json").read_text())
        assert "forecasts.csv" in [o["name"] for o in man["outputs"]]
        assert {r["run_id"] for r in rows} == {man["run_id"]}
        first = snap_row(rows, "gl_revenue", str(pd.Period(p, "M") + 1), 1)
        assert float(first["lo95"]) <= float(first["lo80"]) <= float(first["point"]) <= float(first["hi80"]) <= float(first["hi95"])
    man = json.loads((history["out"] / "2026-10" / "manifest.json").read_text())
    assert man["forecast_archive"]["found"] == ["2026-07", "2026-08", "2026-09"]
    assert "2026-06" in man["forecast_archive"]["missing"]
    assert "found 2026-07 2026-08 2026-09" in history["logs"]["2026-10"]


def test_first_run_says_na_not_zero(history):
    rows = review_sheet(history, "2026-07")
    texts = [r[0] for r in rows if isinstance(r[0], str)]
    assert "n/a — no earlier forecasts found (first run)" in texts
    rev = [r for r in rows if r[0] == "Revenue"]
    assert rev and all(v == "n/a" for v in rev[-1][1:6])  # the bridge row
    assert not any(isinstance(v, (int, float)) and v == 0 for r in rows for v in r[1:6] if r[0] == "Revenue")


def test_last_months_forecast_against_the_actual(history, actuals):
    sept = read_snapshot(history["out"] / "2026-09" / "forecasts.csv")
    jul = read_snapshot(history["out"] / "2026-07" / "forecasts.csv")
    rows = review_sheet(history)
    for series, t, label in (("gl_revenue", "revenue", "Revenue"), ("gl_opex", "opex", "Operating expense")):
        actual = actuals[(t, "2026-10")] / 100
        f1 = snap_row(sept, series, "2026-10", 1)
        f3 = snap_row(jul, series, "2026-10", 3)
        r = table(rows, "Actual", label)
        assert r[1] == pytest.approx(actual, abs=0.005)
        assert r[2] == pytest.approx(float(f1["point"]), abs=0.005)
        assert r[3] == pytest.approx(float(f1["final"]), abs=0.005)
        assert r[4] == pytest.approx(actual - float(f1["final"]), abs=0.01)
        assert r[5] == pytest.approx((actual - float(f1["final"])) / actual * 100, abs=1e-6)
        assert r[6] == ("yes" if float(f1["lo80"]) <= actual <= float(f1["hi80"]) else "no")
        assert r[7] == ("yes" if float(f1["lo95"]) <= actual <= float(f1["hi95"]) else "no")
        assert r[8] == pytest.approx(float(f3["final"]), abs=0.005)
        assert r[9] == pytest.approx(actual - float(f3["final"]), abs=0.01)
        assert r[11] == ("yes" if float(f3["lo80"]) <= actual <= float(f3["hi80"]) else "no")
    # September's override of October is what "last month: final" shows for revenue
    assert float(snap_row(sept, "gl_revenue", "2026-10", 1)["final"]) == 6100000.00
    assert snap_row(sept, "gl_revenue", "2026-10", 1)["override"] == "6100000.00"


def test_track_record_mape_bias_and_fva(history, actuals):
    rows = review_sheet(history)
    for series, t, label in (("gl_revenue", "revenue", "Revenue"), ("gl_opex", "opex", "Operating expense")):
        errs, apes, naive_apes, final_apes = [], [], [], []
        for made, target in (("2026-07", "2026-08"), ("2026-08", "2026-09"), ("2026-09", "2026-10")):
            r = snap_row(read_snapshot(history["out"] / made / "forecasts.csv"), series, target, 1)
            a = actuals[(t, target)] / 100
            naive = actuals[(t, str(pd.Period(target, "M") - 12))] / 100
            errs.append(a - float(r["point"]))
            apes.append(abs(a - float(r["point"])) / a)
            naive_apes.append(abs(a - naive) / a)
            final_apes.append(abs(a - float(r["final"])) / a)
        mape = sum(apes) / 3 * 100
        mad = sum(abs(e) for e in errs) / 3
        row = table(rows, "Months scored", label)
        assert row[1] == 3
        assert row[2] == pytest.approx(mape, abs=1e-6)
        assert row[4] == pytest.approx(sum(errs) / 3, abs=0.01)
        assert row[5] == pytest.approx(sum(errs) / mad, abs=1e-6)
        assert row[6] == ("yes" if abs(sum(errs) / mad) > 4 else "no")
        assert row[7] == pytest.approx(sum(naive_apes) / 3 * 100, abs=1e-6)
        assert row[8] == pytest.approx(sum(naive_apes) / 3 * 100 - mape, abs=1e-6)
        if series == "gl_revenue":  # September overrode October: FVA of the override
            assert row[9] == pytest.approx(sum(final_apes) / 3 * 100, abs=1e-6)
            assert row[10] == pytest.approx(mape - sum(final_apes) / 3 * 100, abs=1e-6)
        else:
            assert row[9] == "n/a" and row[10] == "n/a"
        assert row[11] == "archive"


def test_bridge_adds_up_and_the_override_flows_into_the_outlook(history, actuals):
    sept = read_snapshot(history["out"] / "2026-09" / "forecasts.csv")
    octo = read_snapshot(history["out"] / "2026-10" / "forecasts.csv")
    rows = review_sheet(history)
    ytd_months = [f"2026-{m:02d}" for m in range(1, 10)]
    for series, t, label in (("gl_revenue", "revenue", "Revenue"), ("gl_opex", "opex", "Opex")):
        ytd_sept = sum(actuals[(t, p)] for p in ytd_months)
        a_oct = actuals[(t, "2026-10")]
        prev = [snap_row(sept, series, f"2026-{m}", m - 9) for m in (10, 11, 12)]
        cur = [snap_row(octo, series, f"2026-{m}", m - 10) for m in (11, 12)]
        prev_outlook = ytd_sept + sum(cents(r["final"]) for r in prev)
        outlook = ytd_sept + a_oct + sum(cents(r["final"]) for r in cur)
        avf = a_oct - cents(prev[0]["final"])
        refc = sum(cents(c["point"]) - cents(p["point"]) for c, p in zip(cur, prev[1:]))
        ovr = sum((cents(c["final"]) - cents(c["point"])) - (cents(p["final"]) - cents(p["point"]))
                  for c, p in zip(cur, prev[1:]))
        assert prev_outlook + avf + refc + ovr == outlook  # exact, in cents
        b = next(r for r in rows if r[0] == label and isinstance(r[1], float) and "three steps" in str(r[6]))
        got = [round(v * 100) for v in b[1:6]]
        assert got == [prev_outlook, avf, refc, ovr, outlook]
        assert got[0] + got[1] + got[2] + got[3] == got[4]
    # the override of December revenue is in the snapshot, the outlook and the Finance outlook table
    dec = snap_row(octo, "gl_revenue", "2026-12", 2)
    assert dec["override"] == "6500000.00" and dec["final"] == "6500000.00" and dec["point"] != dec["final"]
    wb = openpyxl.load_workbook(history["out"] / "2026-10" / "report.xlsx", data_only=True)
    fin = [r for r in wb["Finance"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(fin) if r[0] == "Measure" and r[5] == "Full-year outlook")
    outlook_row = fin[head + 1]
    assert outlook_row[0] == "Revenue"
    nov = snap_row(octo, "gl_revenue", "2026-11", 1)
    ytd_oct = sum(actuals[("revenue", p)] for p in ytd_months + ["2026-10"])
    assert round(outlook_row[5] * 100) == ytd_oct + cents(nov["final"]) + 650000000
    # the pct_change override of opex: statistical x 0.97
    dec_opex = snap_row(octo, "gl_opex", "2026-12", 2)
    assert cents(dec_opex["final"]) == round(cents(dec_opex["point"]) * 0.97)


def test_bad_overrides_go_to_rejects(history):
    with open(history["out"] / "2026-10" / "rejects.csv", newline="", encoding="utf-8") as f:
        rej = [r for r in csv.DictReader(f) if r["input"] == "overrides"]
    by_line = {int(r["line"]): r for r in rej}
    assert sorted(by_line) == [3, 4, 5]
    assert by_line[3]["column"] == "reason" and "needs a reason" in by_line[3]["reason"]
    assert by_line[4]["column"] == "series" and by_line[4]["value"] == "nosuch_series"
    assert "gl_revenue" in by_line[4]["reason"] and "gl_opex" in by_line[4]["reason"]
    assert by_line[5]["column"] == "period" and "2026-11 to 2027-10" in by_line[5]["reason"]
    assert all(r["file"].endswith("overrides.csv") for r in rej)
    # the rejected opex override of November did not apply
    octo = read_snapshot(history["out"] / "2026-10" / "forecasts.csv")
    assert snap_row(octo, "gl_opex", "2026-11", 1)["override"] == ""


def test_pdf_has_the_review_and_the_bridge_sentence(history):
    text = subprocess.run(["pdftotext", "-layout", str(history["out"] / "2026-10" / "summary.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert "Forecast review" in text
    assert "full-year outlook moved" in text and "the biggest mover was" in text
    assert "Biggest miss:" in text
    assert "Large order from Acme" in text
    html = (history["out"] / "2026-10" / "summary.html").read_text()
    assert "Forecast review" in html and "the biggest mover was" in html


def test_rerun_keeps_the_archive_and_is_byte_identical(history):
    out = history["out"]
    sept_before = (out / "2026-09" / "forecasts.csv").read_bytes()
    oct_before = (out / "2026-10" / "forecasts.csv").read_bytes()
    run_opsreport("run", "--config", history["ovr"], "--period", "2026-10", "--data", history["data"],
                  "--out", out, check=0)
    assert (out / "2026-09" / "forecasts.csv").read_bytes() == sept_before
    assert (out / "2026-10" / "forecasts.csv").read_bytes() == oct_before


def test_a_deleted_run_folder_is_reported_not_fatal(history, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(history["out"], out)
    shutil.rmtree(out / "2026-08")
    proc = run_opsreport("run", "--config", history["ovr"], "--period", "2026-10", "--data", history["data"],
                         "--out", out, "-v", check=0)
    assert "forecast archive" in proc.stderr and "2026-08" in proc.stderr.split("missing")[1]
    man = json.loads((out / "2026-10" / "manifest.json").read_text())
    assert man["forecast_archive"]["found"] == ["2026-07", "2026-09"]
    assert "2026-08" in man["forecast_archive"]["missing"]
    rows = [r for r in openpyxl.load_workbook(out / "2026-10" / "report.xlsx", data_only=True)
            ["Forecast review"].iter_rows(values_only=True)]
    assert "missing" in rows[1][0] and "2026-08" in rows[1][0]
    rec = table(rows, "Months scored", "Revenue")
    assert rec[1] == 2 and rec[11].startswith("too little archive")


def test_history_dir_is_the_archive_when_set(history, tmp_path):
    ini = tmp_path / "hist.ini"
    ini.write_text(history["ovr"].read_text() + f"history_dir = {history['out']}\n")
    out = tmp_path / "elsewhere"
    run_opsreport("run", "--config", ini, "--period", "2026-10", "--data", history["data"], "--out", out, check=0)
    man = json.loads((out / "2026-10" / "manifest.json").read_text())
    assert man["forecast_archive"]["found"] == ["2026-07", "2026-08", "2026-09"]
    # the same forecasts (the run id differs: it names the config)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "run_id"} for r in rows]
    assert strip(read_snapshot(out / "2026-10" / "forecasts.csv")) == strip(
        read_snapshot(history["out"] / "2026-10" / "forecasts.csv"))
