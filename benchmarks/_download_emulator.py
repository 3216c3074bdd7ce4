"""The emulator child of ``download_throughput.py``: its product groups, served in a process of
its own and driven by one-line commands (throttle, faults, counters) on stdin.

    python benchmarks/_download_emulator.py --serve SIZE_MB BATCH DIRECTORY
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

MB = 1_000_000
UNTHROTTLED = (8, 42 * MB)  # products, bytes each
SMALL = (7, 1 * MB)  # products per call (twice as many are served: a warm second call)

__all__ = ["MB", "SMALL", "UNTHROTTLED", "EmulatorProcess", "serve"]


def serve(size_mb: int, batch: int, directory: str) -> None:
    """Emulator with every product group; commands on stdin, replies on stdout."""
    from cdse_intake.emulator import Emulator
    from cdse_intake.emulator.blob import add_large_product

    emu = Emulator(s3=False, scale=0.001).start()

    def group(count: int, size: int) -> list[Any]:
        # distinct sizes: the product name (and id) is made from the size
        return [add_large_product(emu.catalogue, size + i * 1000, directory) for i in range(count)]

    def describe(e: Any) -> dict[str, Any]:
        return {
            "id": e.id,
            "name": e.name,
            "collection": e.collection,
            "start": e.start.isoformat(),
            "size": e.content_length,
            "checksums": {"MD5": e.md5, "BLAKE3": e.blake3},
            "s3_path": e.s3_path,
            "online": True,
        }

    hello = {
        "env": emu.env(),
        "large": describe(add_large_product(emu.catalogue, size_mb * MB, directory)),
        "batch": [describe(e) for e in group(batch, 20 * MB)],
        "unthrottled": [describe(e) for e in group(*UNTHROTTLED)],
        "small": [describe(e) for e in group(2 * SMALL[0], SMALL[1])],
    }
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "throttle":
            emu.state.throttle = float(args[0]) if args[0] != "none" else None
        elif command == "resets":
            emu.faults.add(
                "reset", after_bytes=int(args[1]), times=None, probability=float(args[0])
            )
        elif command == "clear":
            emu.faults.clear()
            emu.state.reset_counters()
        elif command == "stats":
            log = list(emu.state.log)
            statuses: dict[str, int] = {}
            for rec in log:
                statuses[str(rec.status)] = statuses.get(str(rec.status), 0) + 1
            reply = {
                "statuses": statuses,
                "bytes_sent": sum(r.bytes_sent for r in log),
                "peak": emu.state.peak_downloads[emu.username],
            }
            print(json.dumps(reply), flush=True)
            continue
        print(json.dumps({"ok": command}), flush=True)
    emu.stop()


class EmulatorProcess:
    def __init__(self, size_mb: int, batch: int, directory: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(size_mb), str(batch), directory],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.hello = json.loads(self.proc.stdout.readline())

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--serve":
    serve(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
