"""Every exit code README documents is in the help of `opsreport --help` and
of `run` and `validate`, with README's wording: the help is printed
from the one table in pipeline/core/common.c that test_common compares with README."""
import re

import pytest

from conftest import ROOT, run_opsreport


def readme_exit_codes():
    """(code, meaning) rows of README's '| code | meaning |' table, backticks dropped."""
    rows, in_table = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if not in_table:
            in_table = line == "| code | meaning |"
            continue
        if line.startswith("|---"):
            continue
        m = re.fullmatch(r"\| (\d+) \| (.*) \|", line)
        if not m:
            break
        rows.append((int(m.group(1)), m.group(2).replace("`", "")))
    return rows


def help_exit_codes(text):
    """{code: meaning} from the 'Exit codes:' block of a help text, lines joined."""
    block = text.split("Exit codes:\n", 1)[1]
    codes, current = {}, None
    for line in block.splitlines():
        m = re.fullmatch(r"  (\d+) +(.*)", line)
        if m:
            current = int(m.group(1))
            codes[current] = m.group(2)
        elif line.startswith("      ") and current is not None:
            codes[current] += " " + line.strip()
        else:
            break
    return codes


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["validate", "--help"]],
                         ids=["main", "run", "validate"])
def test_help_lists_readme_exit_codes(args):
    readme = readme_exit_codes()
    assert len(readme) >= 9
    proc = run_opsreport(*args, check=0)
    assert help_exit_codes(proc.stdout) == dict(readme)
