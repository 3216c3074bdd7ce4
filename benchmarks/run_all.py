"""Run every benchmark in this folder and gather their figures into one JSON report.

Each benchmark is a script that prints human-readable figures and, as its last JSON line, a
JSON object of its figures. This runner prints each script's output as it goes and writes
``benchmarks/results.json`` (not committed) with every script's figures keyed by script name,
and ends with the table of the measures that matter (``_table.py``: ours, the peer or ceiling
measured in the same run, the goal, whether it is met), in the JSON under ``table`` too.

    python benchmarks/run_all.py [name ...]     # e.g. emulator_odata
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from _table import render, rows_json

HERE = Path(__file__).resolve().parent


def last_json(text: str) -> dict | None:
    """The last line of ``text`` that is a JSON object."""
    for line in reversed(text.splitlines()):
        line = line.strip().removeprefix("JSON:").strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def main(names: list[str]) -> int:
    scripts = sorted(
        p for p in HERE.glob("*.py") if p.name != Path(__file__).name and not p.stem.startswith("_")
    )
    if names:
        scripts = [p for p in scripts if p.stem in names]
        missing = set(names) - {p.stem for p in scripts}
        if missing:
            print(f"unknown benchmark(s): {sorted(missing)}", file=sys.stderr)
            return 2
    report: dict[str, object] = {}
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        print(proc.stdout, end="")
        if proc.returncode != 0:
            failed += 1
            print(proc.stderr[-4000:], file=sys.stderr)
        report[script.stem] = {
            "exit_code": proc.returncode,
            "seconds": round(time.perf_counter() - started, 2),
            "figures": last_json(proc.stdout),
        }
    report["table"] = rows_json(report)
    print("\n== the measures of issue 19, this run\n")
    print(render(report))
    out = HERE / "results.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
