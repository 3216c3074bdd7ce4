"""The CLI never prints a traceback for a user error or an environment problem (issue 16).

Each reported case is one clear line on stderr with its exit code
(:mod:`cdse_intake.cli.exit_codes`); ``--debug`` adds the full trace. Then a fuzz test over
``search`` arguments and ``download`` manifests, in process through :func:`cdse_intake.cli.main`.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cdse_intake.cli import ExitCode, main
from cdse_intake.manifest import read_manifest, rows_for, write_manifest

from .test_download_common import materialised
from .test_manifest_roundtrip import _disk_full

CODES = {int(code) for code in ExitCode}
SEARCH = ("search", "--collection", "SENTINEL-2", "--limit", "2")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def one_line(stderr: str) -> str:
    """The error line of a failed run: no traceback, and said on one line."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith(("error", "auth"))]
    assert len(lines) == 1, stderr
    return lines[0]


def sent(emulator) -> int:
    return len(emulator.state.log)


# -- the reported cases, through the real command ----------------------------------------------


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (("--start", "9999-12-31", "--end", "9999-12-31"), "end"),
        (("--end", "9999-12-31"), "end"),
        (("--start", "10000-01-01"), "start"),
        (("--geometry", '{"type": "Circle", "coordinates": [1, 2], "radius": 3}'), "geometry"),
    ],
)
def test_bad_queries_are_one_line_and_2(cdse_env, cdse_emulator, extra, says):
    out = cli(*SEARCH, *extra)
    assert out.returncode == ExitCode.USAGE, out.stderr
    assert says in one_line(out.stderr)
    assert sent(cdse_emulator) == 0


def test_a_binary_geojson_file_is_one_line_and_2(cdse_env, cdse_emulator, tmp_path):
    path = tmp_path / "area.geojson"
    path.write_bytes(bytes(range(256)) * 4)
    out = cli(*SEARCH, "--geometry", str(path))
    assert out.returncode == ExitCode.USAGE
    line = one_line(out.stderr)
    assert str(path) in line and "UTF-8" in line
    assert sent(cdse_emulator) == 0


@pytest.mark.parametrize("where", ["folder", "under-a-file", "proc", "device"])
def test_an_output_that_cannot_be_written_is_2_before_any_request(
    cdse_env, cdse_emulator, tmp_path, where
):
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    output = {
        "folder": str(tmp_path / "folder"),
        "under-a-file": str(tmp_path / "file" / "m.csv"),
        "proc": "/proc/cdse-intake-m.csv",
        "device": "/dev/null",
    }[where]
    out = cli(*SEARCH, "-o", output)
    assert out.returncode == ExitCode.USAGE, out.stderr
    assert "-o" in one_line(out.stderr)
    assert sent(cdse_emulator) == 0
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (bytes(range(256)), "config"),
        (b"[settings]\ncache_dir = 5\n", "cache_dir"),
    ],
)
def test_a_bad_config_file_is_one_line_and_2(cdse_env, tmp_path, content, says):
    config = tmp_path / "config.toml"
    config.write_bytes(content)
    out = cli(*SEARCH, env={"CDSE_CONFIG": str(config)})
    assert out.returncode == ExitCode.USAGE, out.stderr
    assert says in one_line(out.stderr)


def test_a_binary_netrc_is_one_line(cdse_env, cdse_emulator, tmp_path, monkeypatch):
    manifest = write_manifest(tmp_path / "m.csv", rows_for(materialised(cdse_emulator)[:1]))
    netrc = tmp_path / "netrc"
    netrc.write_bytes(bytes(range(256)))
    netrc.chmod(0o600)
    monkeypatch.delenv("CDSE_USERNAME")
    monkeypatch.delenv("CDSE_PASSWORD")
    out = cli("download", str(manifest), "--quiet", env={"NETRC": str(netrc)})
    assert out.returncode in (ExitCode.USAGE, ExitCode.CREDENTIALS, ExitCode.FAILED), out.stderr
    assert "Traceback" not in out.stderr
    assert "netrc" in out.stderr


# -- a full disk, in process (the temporary file of the manifest is /dev/full) -----------------


def test_a_full_disk_while_writing_the_search_manifest(cdse_env, tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.csv"
    assert main([*SEARCH, "-o", str(path)]) == ExitCode.OK
    before = path.read_bytes()
    _disk_full(monkeypatch)
    assert main([*SEARCH, "--start", "2024-01-01", "-o", str(path)]) == ExitCode.ERROR
    line = one_line(capsys.readouterr().err)
    assert "No space left on device" in line and str(path) in line
    assert path.read_bytes() == before


def test_a_full_disk_after_every_product_verified(cdse_env, cdse_emulator, tmp_path, monkeypatch,
                                                   capsys):  # fmt: skip
    products = materialised(cdse_emulator)[:2]
    path = write_manifest(tmp_path / "m.csv", rows_for(products))
    before = path.read_bytes()
    with monkeypatch.context() as patch:
        _disk_full(patch)
        assert main(["download", str(path), "--quiet"]) == ExitCode.ERROR
    line = one_line(capsys.readouterr().err)
    assert "No space left on device" in line and "run the same command again" in line
    assert path.read_bytes() == before  # the manifest as it was, never half of one
    log = len(cdse_emulator.state.log)
    assert main(["download", str(path), "--quiet"]) == ExitCode.OK  # nothing was lost:
    assert "2 skipped" in capsys.readouterr().err  # both verified in the cache, not fetched
    rows = read_manifest(path).rows  # recorded now: found verified in the cache
    assert {row.downloaded for row in rows} == {"verified"} and all(r.local_path for r in rows)
    assert {row.reason for row in rows} == {"already verified"}
    assert not [r for r in list(cdse_emulator.state.log)[log:] if "$value" in r.path]


# -- --debug ------------------------------------------------------------------------------------


@pytest.mark.parametrize("place", ["before", "after"])
def test_debug_shows_the_trace(cdse_env, tmp_path, place):
    path = tmp_path / "area.geojson"
    path.write_bytes(b"\xff\xfe")
    args = [*SEARCH, "--geometry", str(path)]
    out = cli(*(["--debug", *args] if place == "before" else [*args, "--debug"]))
    assert out.returncode == ExitCode.USAGE
    assert "Traceback" in out.stderr and "UTF-8" in out.stderr.splitlines()[-1]
    assert "Traceback" not in cli(*args).stderr


def test_an_unexpected_error_is_one_line_and_5(monkeypatch, capsys):
    from cdse_intake.cli import app

    def broken(args):
        raise RuntimeError("something nobody expected")

    monkeypatch.setitem(app._COMMANDS, "collections", broken)
    assert main(["collections"]) == ExitCode.ERROR
    line = one_line(capsys.readouterr().err)
    assert "something nobody expected" in line and "--debug" in line
    assert main(["--debug", "collections"]) == ExitCode.ERROR
    assert "Traceback" in capsys.readouterr().err


def test_main_returns_the_code_of_bad_arguments(capsys):
    assert main(["search", "--bbox", "1,2"]) == ExitCode.USAGE
    assert main(["no-such-command"]) == ExitCode.USAGE
    assert main(["--help"]) == ExitCode.OK
    capsys.readouterr()


# -- fuzzing ------------------------------------------------------------------------------------

weird = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    st.sampled_from(
        [
            "", "-", "--", "9999-12-31", "0001-01-01", "10000-01-01", "2023-02-30", "nan", "inf",
            "-1", "0", "1e309", "2", "x", "1,2,3,4", "10,50,0,40", "200,0,210,10", "1,2,3",
            "POINT (1 2)", "POLYGON ((0 0, 1 0, 1 1, 0 0))", '{"type": "Circle"}', "[]", "{",
            "a.geojson", "/dev/zero.geojson", "S2MSI2A", "L2A", "31UFT", "ascending", "-start",
            "\x00", "é", "'=1+1", "SENTINEL-2", "sentinel-2-l2a", "start", "-cloud",
        ]
    ),
)  # fmt: skip
OPTIONS = (
    "--collection", "--product-type", "--bbox", "--geometry", "--start", "--end", "--cloud",
    "--tile", "--orbit", "--relative-orbit", "--orbit-direction", "--platform",
    "--name-contains", "--processing-level", "--min-sea-percent", "--min-land-percent", "--sort",
    "--limit", "--backend",
)  # fmt: skip
search_args = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(OPTIONS), weird),
        st.tuples(st.sampled_from(["--online", "--no-cache", "--debug", "-o"])),
    ),
    max_size=5,
)


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(args=search_args)
def test_any_search_arguments(cdse_env, tmp_path, args):
    argv = ["search", "--limit", "2"]
    for option in args:
        if option == ("-o",):
            option = ("-o", str(tmp_path / "fuzz.csv"))
        argv.extend(option)
    code, stderr = _run(argv)
    event(f"exit {code}")
    assert code in CODES, (argv, code, stderr)
    if "--debug" not in argv:
        assert "Traceback" not in stderr, (argv, stderr)
    assert code != ExitCode.ERROR or "unexpected" not in stderr, (argv, stderr)


CELLS = ["", "x", "-1", "True", "maybe", "POINT (1 2)", "'=1", "a,b", '"', "2023-13-01"]
UUID = "00000000-0000-0000-0000-000000000000"
rows = st.lists(st.sampled_from([*CELLS, UUID]), min_size=2, max_size=4).map(",".join)
manifest_text = st.one_of(
    st.binary(max_size=200),
    st.lists(st.text(max_size=30), max_size=6).map("\n".join).map(str.encode),
    st.tuples(
        st.sampled_from(["Id,Name\n", "Id,Name,Size,Online\n", "Id,Name,Footprint\n"]),
        st.lists(rows, max_size=3).map("\n".join),
    ).map(lambda t: (t[0] + t[1]).encode()),
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=manifest_text)
def test_any_manifest_given_to_download(cdse_env, tmp_path, monkeypatch, data):
    monkeypatch.setenv("CDSE_RETRIES", "0")
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    code, stderr = _run(["download", str(path), "--quiet", "--dest", str(tmp_path / "out")])
    event(f"exit {code}")
    assert code in CODES, (data, code, stderr)
    assert "Traceback" not in stderr, (data, stderr)
    assert code != ExitCode.ERROR or "unexpected" not in stderr, (data, stderr)


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "--start", "9999-12-31T23:59:59", "--end", "9999-12-31", "--limit", "1"],
        ["search", "--geometry", "/dev/zero.geojson"],
        ["download", "/dev/zero"],
        ["download", "/"],
    ],
)
def test_a_few_in_a_real_process(cdse_env, argv):
    out = cli(*argv)
    assert out.returncode in CODES and out.returncode != ExitCode.OK
    assert "Traceback" not in out.stderr
