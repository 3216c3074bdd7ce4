"""The share of the catalogue carrying each fault is configurable: default small and
realistic, ``{}`` for none, any mix of the four; bad values are refused by name."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from cdse_intake.emulator.catalogue import FAULT_SHARES, build_catalogue
from cdse_intake.emulator.records.delivery import fault_shares, parse_fault_shares


def _faults(**kw) -> Counter:
    catalogue = build_catalogue(scale=0.05, deliver="all", **kw)
    return Counter(e.extra.get("fault") for e in catalogue if not e.extra.get("showcase"))


def test_the_default_is_a_small_share():
    counts = _faults()
    total = sum(counts.values())
    assert 0 < total - counts[None] < 0.03 * total
    assert set(counts) - {None} <= set(FAULT_SHARES)


def test_no_faults_and_a_chosen_mix():
    assert set(_faults(faults={})) == {None}
    counts = _faults(faults={"offline": 0.5})
    total = sum(counts.values())
    assert set(counts) == {None, "offline"}
    assert 0.45 < counts["offline"] / total < 0.55  # a uniform draw from each product's id
    offline = build_catalogue(scale=0.05, deliver="all", faults={"offline": 0.5})
    assert all(not e.online for e in offline if e.extra.get("fault") == "offline")


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ({"ofline": 0.1}, r"'ofline' is not a fault; expected some of 'unavailable'"),
        ({"offline": 1.5}, r"faults\['offline'\]=1.5: expected a share between 0 and 1"),
        ({"offline": 0.6, "unavailable": 0.6}, r"add up to more than 1"),
        ([("offline", 0.1)], r"expected a mapping"),
    ],
)
def test_bad_shares_are_refused_by_name(faults, message):
    with pytest.raises(ValueError, match=message):
        fault_shares(faults)


def test_the_text_form_of_the_cli_and_the_ini_option():
    assert parse_fault_shares("offline=0.05, unavailable=0") == {"offline": 0.05, "unavailable": 0}
    assert parse_fault_shares("none") == {}
    with pytest.raises(ValueError, match=r"'offline' : expected name=share|'offline'"):
        parse_fault_shares("offline")
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", "run", "--faults", "bogus=1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "'bogus' is not a fault" in done.stderr
