"""`make bench` works: the harness, at its tiny size, starts Convene and a peer itself, drives
them through every workload and writes a complete result, table and plot.

No figure is judged here (speed belongs to `make bench`); what is checked is that every
workload ran and reported every field, that messages actually travelled through each
system's public protocol, and that the reconnect storm accounted for every message.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

FANOUT_STEP = {
    "offered_deliveries_per_s", "messages", "expected", "delivered", "delivered_per_s", "p50_ms", "p99_ms", "max_ms",
    "wall_s", "generator_cpu", "server_cpu", "server_cpu_s", "generator_saturated", "passed",
}  # fmt: skip
DURABLE_STEP = {
    "offered_per_s", "sent", "acked", "refused", "acked_per_s", "ack", "expected_deliveries", "delivered", "delivery",
    "server_cpu_ms_per_message", "wall_s", "generator_cpu", "server_cpu", "generator_saturated",
}  # fmt: skip


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:  # type: ignore[type-arg]
    if not (BENCH / "node_modules" / "ws").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH, check=True, timeout=300)
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "tiny", "--systems", "raw,node-sio,convene", "--no-postgres",
         "--out", str(out / "results.json"), "--plot", str(out / "bench.png")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "results.json").read_text()), done.stdout, out


@pytest.mark.timeout(700)
def test_every_system_runs_every_shared_workload(bench_run: tuple[dict, str, Path]) -> None:  # type: ignore[type-arg]
    results, _, _ = bench_run
    assert set(results["results"]) == {"raw", "node-sio", "convene"}
    for system, result in results["results"].items():
        for size in results["settings"]["room_sizes"]:
            sweep = result["fanout"][str(size)]
            assert sweep["join"]["connected"] == size, (system, sweep)
            assert [s["offered_deliveries_per_s"] for s in sweep["steps"]] == results["settings"]["rates"], system
            for step in sweep["steps"]:
                assert FANOUT_STEP <= set(step), (system, step)
                assert step["delivered"] > 0, (system, step)  # the protocol was spoken correctly
        idle = result["idle"]
        assert idle["connected"] == results["settings"]["idle"] and idle["kib_per_connection"] is not None, (system, idle)
        slow = result["slow"]
        assert slow["baseline"]["delivered"] > 0 and slow["stalled"]["messages"] > 0, (system, slow)
        assert isinstance(slow["slow_dropped"], bool)


@pytest.mark.timeout(700)
def test_convene_durable_sends_and_storm_account_for_every_message(bench_run: tuple[dict, str, Path]) -> None:  # type: ignore[type-arg]
    results, _, _ = bench_run
    durable = results["convene"]["durable_sqlite"]
    assert [s["offered_per_s"] for s in durable["steps"]] == results["settings"]["durable_rates"]
    for step in durable["steps"]:
        assert DURABLE_STEP <= set(step), step
        assert step["acked"] == step["sent"] and step["refused"] == 0, step
    storm = results["convene"]["storm"]
    settings = results["settings"]
    assert storm["clients"] == settings["storm_rooms"] * settings["storm_per_room"]
    assert storm["acked_messages"] == settings["storm_rooms"] * (settings["storm_before"] + settings["storm_after"])
    assert storm["all_caught_up"] and storm["lost"] == 0 and storm["doubled"] == 0, storm


@pytest.mark.timeout(700)
def test_the_run_records_the_machine_and_prints_the_table_and_plot(bench_run: tuple[dict, str, Path]) -> None:  # type: ignore[type-arg]
    results, stdout, out = bench_run
    machine = results["machine"]
    assert machine["cores"] and machine["cpu"] and machine["kernel"] and machine["node"].startswith("v")
    assert machine["packages"]["socket.io (npm)"].startswith("4.8")
    assert len(results["load_average_before"]) == 3 and len(results["load_average_after"]) == 3
    assert results["table"] in stdout
    for label in ("raw aiohttp websocket (floor)", "Node socket.io 4.8", "Convene", "Convene ÷ Node socket.io", "durable sends"):
        assert label in results["table"]
    assert (out / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
