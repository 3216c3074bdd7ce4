"""Run README.md's code blocks in order, as a reader would: ``_readme_runner.py blocks.json``.

Python blocks share one namespace (like a notebook); bash blocks run in ``bash -euo pipefail`` in
the same folder and environment. Tracebacks name ``README.md`` and its line numbers. The process
first runs the file's ``guard`` (``_offline.GUARD``: no connection off loopback) and prints what
it refused at the end. (It imports nothing from ``tests/``: ``tests/intake`` would shadow intake.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def main(blocks_file: str) -> int:
    spec = json.loads(Path(blocks_file).read_text())
    namespace: dict = {"__name__": "__readme__"}
    exec(spec["guard"], namespace)  # noqa: S102 - the test's own guard
    for block in spec["blocks"]:
        print(f"=== README.md:{block['line']} ({block['lang']})", flush=True)
        if block["lang"] == "python":
            # Padded so that a traceback's line numbers are README.md's own.
            source = "\n" * (block["line"] - 1) + block["code"]
            exec(compile(source, "README.md", "exec"), namespace)  # noqa: S102
        else:
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", block["code"]], check=False)
            if done.returncode:
                print(f"README.md:{block['line']}: bash block exited {done.returncode}", flush=True)
                return 1
    print("OFFLINE-BLOCKED:", namespace["_offline_blocked"], flush=True)
    print("README-DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
