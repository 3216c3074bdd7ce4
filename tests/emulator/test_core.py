"""The emulator's core: deterministic catalogue, state, hosts and the CLI's export lines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from cdse_intake.emulator.catalogue import _cached_catalogue, build_catalogue, fmt_time
from cdse_intake.emulator.state import FaultRegistry


def test_catalogue_is_deterministic_and_sized():
    build = _cached_catalogue.__wrapped__  # bypass the per-process cache: really build twice
    a, b = build(7, 0.05, False, "showcase"), build(7, 0.05, False, "showcase")
    assert [(e.id, e.name, e.md5, e.footprint) for e in a] == [
        (e.id, e.name, e.md5, e.footprint) for e in b
    ]
    c = build(8, 0.05, False, "showcase")
    assert [e.id for e in a] != [e.id for e in c]
    full = build_catalogue()
    assert len(full) > 45_000
    assert (full.collections == "SENTINEL-2").sum() > 25_000  # > 2.5x the 10,000 offset cap


def test_entries_are_consistent():
    cat = build_catalogue()
    assert len(cat.by_id) == len(cat) == len(cat.by_name)
    for entry in cat.entries[::97]:
        assert entry.start <= entry.end < entry.origin < entry.publication <= entry.modification
        assert entry.s3_path.startswith("/eodata/") and entry.s3_path.endswith(entry.name)
        assert entry.attribute("productType") == entry.product_type
        assert len(entry.md5 or "") == 32 and len(entry.blake3 or "") == 64
    aux = [e for e in cat if e.product_type == "AUX_POEORB"]
    assert aux and all(e.footprint is None for e in aux)
    assert any(e.footprint and e.footprint["type"] == "MultiPolygon" for e in cat)


def test_materialised_products_carry_their_true_checksums():
    import hashlib

    cat = build_catalogue()
    assert cat.materialised, "no product family is materialised"
    for entry in cat.materialised:
        payload = entry.payload
        assert entry.content_length == len(payload.data)
        assert entry.md5 == hashlib.md5(payload.data).hexdigest()


def test_time_format_is_cdse_s():
    assert fmt_time(datetime.fromisoformat("2024-06-04T12:03:49.1136+00:00")) == (
        "2024-06-04T12:03:49.113600Z"
    )


def test_fault_registry_counts_hits_and_matches_products():
    faults = FaultRegistry()
    faults.add("reset", product="P1", times=2, after_bytes=10)
    assert faults.take("reset", "other") is None
    assert faults.take("reset", "id", "P1").after_bytes == 10
    assert faults.peek("reset", "P1") is not None
    assert faults.take("reset", "P1") is not None
    assert faults.take("reset", "P1") is None  # used up
    faults.add("status", times=None, status=503)
    assert all(faults.take("status", "anything").status == 503 for _ in range(5))
    faults.clear()
    assert faults.take("status", "x") is None


def test_hosts_differ_and_requests_are_logged(cdse_emulator):
    cat, dl = urlsplit(cdse_emulator.urls.catalogue), urlsplit(cdse_emulator.urls.download)
    assert cat.hostname == "127.0.0.1"
    assert (dl.hostname, dl.port) != (cat.hostname, cat.port)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{cdse_emulator.urls.catalogue}/NoSuchThing?x=1")
    assert info.value.code == 404
    (rec,) = cdse_emulator.state.requests(path="/odata/v1/NoSuchThing")
    assert (rec.status, rec.query, rec.method) == (404, "x=1", "GET")


def test_env_points_at_the_emulator(cdse_emulator):
    env = cdse_emulator.env()
    assert env["CDSE_CATALOGUE_URL"] == cdse_emulator.endpoints.catalogue
    assert env["CDSE_USERNAME"] == cdse_emulator.username
    assert env["CDSE_PASSWORD"] == cdse_emulator.password
    assert set(env) >= {
        "CDSE_IDENTITY_URL",
        "CDSE_DOWNLOAD_URL",
        "CDSE_STAC_URL",
        "CDSE_S3_ENDPOINT",
    }


def test_cli_emulator_prints_exports_then_serves_until_interrupted():
    proc = subprocess.Popen(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", "--scale", "0.05", "--no-s3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        exports = {}
        for line in proc.stdout:
            if line.startswith("#"):
                break
            key, _, value = line.removeprefix("export ").strip().partition("=")
            exports[key] = value.strip("'")
        assert {"CDSE_CATALOGUE_URL", "CDSE_USERNAME", "CDSE_PASSWORD"} <= set(exports)
        # The server answers while the command runs.
        url = exports["CDSE_IDENTITY_URL"] + "/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert json.load(resp)["issuer"] == exports["CDSE_IDENTITY_URL"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_cli_rejects_bad_port():
    out = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", "--port", "70000"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "invalid port '70000'" in out.stderr


def test_a_request_answered_before_a_reset_is_not_logged_after_it():
    """CI stop 33: the JP2 window test counted a 2-byte read of the index build, begun before
    ``reset_counters`` and logged just after it (the client has the last byte before the
    server's handler returns). A reset waits for the requests in flight, as a read does."""
    import threading
    import time

    from cdse_intake.emulator.state import EmulatorState, RequestRecord

    state = EmulatorState()
    state.begin_request()
    late = RequestRecord("h", "GET", "/x/$value", "", 206, "u", bytes_sent=2)
    threading.Timer(0.3, state.record, args=(late,)).start()
    began = time.monotonic()
    state.reset_counters()
    assert time.monotonic() - began >= 0.25  # it waited for the one in flight
    assert state.requests() == []
