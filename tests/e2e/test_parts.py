"""`run/validate --jobs N` read a large export of a kind whose rows stand
alone (GL, inventory, production, quality) in up to 3N parts on N threads. A part
starts just after an LF, a guess at a record start; where the guess was inside
a quoted field, the part is read again from where the part before it ended.
The run folder must be the same bytes as reading the file whole (--jobs 1):
rows, rejects and their line numbers, totals, the GL detail's line numbers.

OPSREPORT_PART_BYTES lowers the least part size (4 MB) so that these small
files split into many parts; -v logs how many parts were read and read again,
which proves the split really happened."""
import random
import re

import pytest

from conftest import run_opsreport
from test_jobs import assert_same_folders

PERIOD = "2026-10"

CONFIG = """[report]
organisation = Parts Test Ltd
currency = EUR
fiscal_year_start = 1
reject_threshold = 0.9

[input.gl_actuals]
file = gl.csv
{encoding}max_field_lines = 6
col.date = Date
col.entity = Entity
col.cost_centre = CC
col.account = Account
col.account_type = Type
col.amount = Amount
"""

ENTITIES = ["Łódź", "Leeds", "Lyon", "São Paulo"]
TYPES = ["Revenue", "COGS", "OPEX"]


def memo(rng):
    """Text for the unmapped Memo column: often quoted over several lines."""
    kind = rng.random()
    if kind < 0.25:
        return '"first line\nsecond, with a comma\nthird ""quoted"""'
    if kind < 0.35:
        return '"one\r\ntwo"'
    if kind < 0.45:
        return '"' + "\n".join("x" * rng.randint(0, 40) for _ in range(rng.randint(2, 5))) + '"'
    return "plain memo %d" % rng.randint(0, 999)


def gl_text(seed, rows=2500, eol="\n", bad=True, tail=""):
    rng = random.Random(seed)
    out = ["\ufeffDate,Entity,CC,Account,Type,Amount,Memo"]
    for i in range(rows):
        month = rng.choice(["2025-11", "2026-01", "2026-06", "2026-09", "2026-10"])
        date = "%s-%02d" % (month, rng.randint(1, 28))
        amount = "%d.%02d" % (rng.randint(-5000, 90000), rng.randint(0, 99))
        cells = [date, rng.choice(ENTITIES), "CC%d" % rng.randint(1, 9), "%d" % rng.choice([4000, 5000, 6100]),
                 rng.choice(TYPES), amount, memo(rng)]
        if bad and i % 97 == 5:
            cells[0] = "31.02.x"          # a bad date: rejected with its line
        if bad and i % 131 == 7:
            cells[5] = "12k"              # a bad amount: in the unparsed count
        if bad and i % 173 == 11:
            cells = cells[:3]             # too few fields
        if i % 211 == 3:
            out.append("")                # a blank line
        if bad and i == rows // 2:        # a quoted field over max_field_lines: its lines rejected one by one
            cells[6] = '"' + "\n".join("overlong %d,%d" % (k, k) for k in range(9)) + '"'
        out.append(",".join(cells))
    return eol.join(out) + eol + tail


def write_case(tmp_path, name, text, encoding="utf-8", config_encoding=""):
    data = tmp_path / name
    data.mkdir()
    (data / "gl.csv").write_bytes(text.encode(encoding))
    ini = tmp_path / (name + ".ini")
    ini.write_text(CONFIG.format(encoding=("encoding = %s\n" % config_encoding) if config_encoding else ""))
    return ini, data


def run_jobs(tmp_path, ini, data, jobs, monkeypatch, part_bytes="700"):
    monkeypatch.setenv("OPSREPORT_PART_BYTES", part_bytes)
    out = tmp_path / ("%s-out-%d" % (data.name, jobs))
    proc = run_opsreport("run", "-v", "--jobs", jobs, "--config", ini, "--period", PERIOD, "--data", data,
                         "--out", out, check=None)
    assert proc.returncode in (0, 3), proc.stderr  # 3: rejects, still published
    m = re.search(r"gl_actuals: read in (\d+) parts, (\d+) read again", proc.stderr)
    return proc, out / PERIOD, (int(m.group(1)), int(m.group(2))) if m else (1, 0)


CASES = {
    "lf": dict(eol="\n"),
    "crlf": dict(eol="\r\n"),
    "cr_cr_lf": dict(eol="\r\r\n"),
    "clean": dict(eol="\n", bad=False),
    # a quote opened near the end and never closed swallows every line after it
    "unterminated": dict(eol="\n", tail='2026-10-03,Leeds,CC1,4000,Revenue,1.00,"never closed\n'
                                          + "2026-10-04,Leeds,CC1,4000,Revenue,2.00,x\n" * 30),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_parts_give_the_bytes_of_one_pass(tmp_path, monkeypatch, case):
    ini, data = write_case(tmp_path, case, gl_text(seed=len(case), **CASES[case]))
    results = [run_jobs(tmp_path, ini, data, n, monkeypatch) for n in (1, 2, 7)]
    assert results[0][2] == (1, 0)  # --jobs 1 reads the file whole
    # three parts per thread, as many as the file has room for
    assert results[1][2][0] == 6 and results[2][2][0] > 6, [r[2] for r in results]
    if case != "clean":  # some guess fell inside a quoted field and was read again
        assert sum(r[2][1] for r in results) > 0, [r[2] for r in results]
    assert_same_folders([r[1] for r in results])
    rejects = (results[0][1] / "rejects.csv").read_text(encoding="utf-8")
    if case != "clean":
        assert "31.02.x" in rejects and "12k" in rejects and "overlong 4" in rejects, rejects[:2000]


def test_line_numbers_of_rejects_are_those_of_the_file(tmp_path, monkeypatch):
    """Each bad date's reject names the physical line it is on, counted
    independently here, across quoted line breaks and blank lines."""
    text = gl_text(seed=5, eol="\r\n")
    ini, data = write_case(tmp_path, "lines", text)
    _, folder, parts = run_jobs(tmp_path, ini, data, 5, monkeypatch)
    assert parts[0] > 5  # up to three per thread
    # physical lines as the reader counts them: LF, CR LF, CR CR LF, a lone CR
    want = [n + 1 for n, line in enumerate(re.split(r"\r*\n|\r", text)) if line.startswith("31.02.x")]
    got = []
    for row in (folder / "rejects.csv").read_text(encoding="utf-8").splitlines()[1:]:
        if '"31.02.x"' in row:
            got.append(int(row.split(",")[2].strip('"')))
    assert got == want and len(want) > 10, (got[:5], want[:5])


def test_a_single_byte_encoding_splits_too(tmp_path, monkeypatch):
    text = gl_text(seed=9).replace("\ufeff", "")
    ini, data = write_case(tmp_path, "latin1", text.replace("Łódź", "Málaga").replace("São", "Sâo"),
                           encoding="latin-1", config_encoding="ISO-8859-1")
    results = [run_jobs(tmp_path, ini, data, n, monkeypatch) for n in (1, 3)]
    assert results[1][2][0] > 3  # up to three per thread
    assert_same_folders([r[1] for r in results])


def test_utf16_is_read_whole(tmp_path, monkeypatch):
    """A part cannot start decoding UTF-16 at an LF byte: the file is read whole."""
    ini, data = write_case(tmp_path, "utf16", gl_text(seed=3, rows=400), encoding="utf-16",
                           config_encoding="UTF-16")
    results = [run_jobs(tmp_path, ini, data, n, monkeypatch) for n in (1, 4)]
    assert results[1][2] == (1, 0)
    assert_same_folders([r[1] for r in results])


def test_validate_counts_are_the_same_in_parts(tmp_path, monkeypatch):
    ini, data = write_case(tmp_path, "validate", gl_text(seed=11))
    monkeypatch.setenv("OPSREPORT_PART_BYTES", "500")
    outs = [run_opsreport("validate", "--jobs", n, "--config", ini, "--period", PERIOD, "--data", data).stdout
            for n in (1, 4)]
    assert "rejected" in outs[0] and outs[1] == outs[0]
