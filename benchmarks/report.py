"""What the run prints: the machine and library versions, and markdown tables of the results.

``describe_environment`` records what decides the numbers (CPU, BLAS and its kernel, thread
counts, versions, commit, OPENBLAS_* variables, load average); ``format_report`` turns the
dict that ``run.main`` builds into markdown: timings with ratios to numpy-by-hand, test
accuracies, and peak RSS. An engine that did not run a workload (numpy tuned on W3/W4) gets
"-" in the main table and no column in W4's.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from collections.abc import Sequence
from typing import Any

import numpy as np

from .engines import blas_threads, import_torch
from .workloads import REPO_ROOT

ENGINE_TITLES = {
    "numpy": "numpy by hand",
    "numpy_tuned": "numpy tuned",
    "autograd_lite": "autograd_lite",
    "compiled": "autograd_lite compiled",
    "torch": "PyTorch",
}
OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages: above the core count, other work competed."""
    return [round(x, 2) for x in os.getloadavg()]


def describe_environment(engines: Sequence[str]) -> dict[str, Any]:
    """The facts that decide the timings, for the report and the JSON file."""
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": _blas(),
        "blas_threads": blas_threads(),
        "openblas_variables": {name: os.environ.get(name, "unset") for name in OPENBLAS_VARIABLES},
        "load_average_before": load_average(),
    }
    torch = import_torch() if "torch" in engines else None
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    return info


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _blas() -> str:
    """numpy's BLAS and the kernel it picked (threadpoolctl's ``architecture``)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl to see the BLAS kernel)"
    for pool in threadpool_info():
        if pool["user_api"] == "blas":
            kernel = pool.get("architecture", "?")
            return f"{pool['internal_api']} {pool.get('version')}, kernel {kernel}"
    return "none found"


def format_report(results: dict[str, Any]) -> str:
    """The whole report as markdown."""
    env = results["environment"]
    engines = [e for e in ENGINE_TITLES if e in _engines_run(results)]
    parts = [_environment_lines(env), _timing_table(results, engines)]
    mlp = [results[w] for w in ("w1", "w2", "w5") if w in results]
    if mlp:
        parts.append(_accuracy_table(mlp, engines))
    if "w4" in results:
        parts.append(_depth_table(results["w4"], results.get("memory", []), engines))
    epoch_memory = [m for m in results.get("memory", []) if m["workload"] != "w4"]
    if epoch_memory:
        parts.append(_memory_table(epoch_memory))
    return "\n\n".join(parts) + "\n"


def _engines_run(results: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("w1", "w2", "w3", "w5"):
        found |= set(results[key]["median"]) if key in results else set()
    if found:
        return found
    return set(results["w4"][0]["median"]) if "w4" in results else set()


def _environment_lines(env: dict[str, Any]) -> str:
    torch = f", torch {env['torch']} (threads: {env['torch_threads']})" if "torch" in env else ""
    dirty = " + uncommitted changes" if env["uncommitted_changes"] else ""
    openblas = ", ".join(f"{k}={v}" for k, v in env["openblas_variables"].items())
    return "\n".join(
        [
            f"- {env['date']}, commit {env['commit']}{dirty}",
            f"- {env['cpu']}, {env['cores']} cores; Python {env['python']}, numpy {env['numpy']}"
            f"{torch}",
            f"- BLAS: {env['blas']}, threads: {env['blas_threads']}; {openblas}",
            f"- load average before {env['load_average_before']}, "
            f"after {env.get('load_average_after')}",
        ]
    )


def _cell(value: float, ratio: float | None, digits: int = 3) -> str:
    return f"{value:.{digits}f}" + (f" ({ratio:.2f}x)" if ratio is not None else "")


def _timing_table(results: dict[str, Any], engines: list[str]) -> str:
    titles = [ENGINE_TITLES[e] + (" (x numpy)" if e != "numpy" else "") for e in engines]
    header = ["workload", "unit", *titles, "GEMM-only bound / numpy forward only"]
    header.append("samples (disturbed)")
    rows = []
    for key in ("w1", "w2", "w5"):
        if key in results:
            result = results[key]
            median = result["median"]
            bound = (
                _cell(median["gemm_only"], result["ratio"]["gemm_only"])
                if "gemm_only" in median
                else "-"
            )
            cells = _cells(result, engines)
            rows.append([result["description"], "s/epoch", *cells, bound, _counts(result)])
    if "w3" in results:
        w3 = results["w3"]
        median = w3["median"]
        name = f"W3: chain of {w3['ops']:,} elementwise ops on ({w3['size']},), fwd+bwd"
        bound = _cell(median["numpy_forward"], w3["ratio"]["numpy_forward"], 2)
        rows.append([name, "us/op", *_cells(w3, engines, 2), bound, _counts(w3)])
    for w4 in results.get("w4", []):
        seconds = {k: v * w4["ops"] / 1e6 for k, v in w4["median"].items()}
        name = f"W4: chain of {w4['ops']:,} ops on ({w4['size']},), fwd+bwd"
        bound = _cell(seconds["numpy_forward"], w4["ratio"]["numpy_forward"], 2)
        rows.append([name, "s/run", *_cells(w4, engines, 2, seconds), bound, _counts(w4)])
    return _markdown(header, rows)


def _counts(result: dict[str, Any]) -> str:
    return f"{result['total_samples']} ({result['disturbed']})"


def _cells(
    result: dict[str, Any], engines: list[str], digits: int = 3, values: dict | None = None
) -> list[str]:
    """Each engine's median (or ``values``) with its paired ratio to numpy."""
    values = values or result["median"]
    return [
        _cell(values[e], None if e == "numpy" else result["ratio"][e], digits)
        if e in values
        else "-"
        for e in engines
    ]


def _accuracy_table(mlp: list[dict[str, Any]], engines: list[str]) -> str:
    header = ["workload", "engine", "test accuracy", "max abs weight difference from numpy"]
    rows = []
    for result in mlp:
        for engine in engines:
            if engine in result["accuracy"]:
                rows.append(
                    [
                        result["description"].split(":")[0],
                        ENGINE_TITLES[engine],
                        f"{result['accuracy'][engine]:.4f}",
                        f"{result['max_weight_difference'][engine]:.2e}",
                    ]
                )
    return _markdown(header, rows)


def _depth_table(w4: list[dict], memory: list[dict], engines: list[str]) -> str:
    """W4's linearity: us/op and RSS growth per op at each depth."""
    engines = [e for e in engines if e in w4[0]["median"]]
    header = ["W4 ops", *(f"{ENGINE_TITLES[e]} us/op" for e in engines)]
    header += [f"{ENGINE_TITLES[e]} RSS growth MiB (bytes/op)" for e in engines]
    rows = []
    for result in w4:
        n = result["ops"]
        row = [f"{n:,}", *(f"{result['median'][e]:.2f}" for e in engines)]
        for engine in engines:
            found = [m for m in memory if m["workload"] == "w4" and m["engine"] == engine]
            found = [m for m in found if m.get("ops") == n]
            if found:
                mib = found[0]["increment_mib"]
                row.append(f"{mib:.1f} ({mib * 2**20 / n:.0f})")
            else:
                row.append("-")
        rows.append(row)
    return _markdown(header, rows)


def _memory_table(memory: list[dict]) -> str:
    header = ["workload", "engine", "RSS after setup MiB", "peak RSS MiB", "epoch increment MiB"]
    rows = [
        [
            m["workload"].upper(),
            ENGINE_TITLES[m["engine"]],
            f"{m['baseline_mib']:.1f}",
            f"{m['peak_mib']:.1f}",
            f"{m['increment_mib']:.1f}" + ("" if m["peak_reset"] else " (peak not reset)"),
        ]
        for m in memory
    ]
    return _markdown(header, rows)


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
