"""Peak memory (RSS) of one training epoch (W1, W2, W5) or one deep chain (W4), one per process.

A process's peak RSS only ever grows, so each measurement runs in a fresh process:

    python -m benchmarks.memory w2 --engine numpy
    python -m benchmarks.memory w4 --engine autograd_lite --ops 1000000

It sets up first (imports, MNIST in the workload's dtype, the model and its initial weights;
for W4 the chain's ops and a 100-op warm-up chain, so that one-time costs such as PyTorch's
autograd threads are not charged to the chain) and records the RSS. Then it resets the
kernel's peak (writing 5 to ``/proc/self/clear_refs``, Linux >= 4.0), so that a transient
peak of the setup cannot hide the run's, runs the workload once and reads the peak (``VmHWM``
in ``/proc/self/status``). It prints one JSON line: the RSS after setup, the peak RSS during
the run and their difference, the run's increment (all in MiB). Where the peak cannot be
reset, ``peak_reset`` is false and the peak may be the setup's.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .engines import ENGINES, make_chain, make_runner, unsupported
from .workloads import (
    REPO_ROOT,
    SEED,
    TRAINING_WORKLOADS,
    chain_input,
    chain_ops,
    epoch_batches,
    initial_weights,
    load_data,
)

W4_DEFAULT_OPS = 1_000_000
WARM_UP_OPS = 100
KIB_PER_MIB = 1024


def status_kib(field: str) -> int:
    """A ``/proc/self/status`` field in KiB: ``VmRSS`` (now) or ``VmHWM`` (the peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"memory: no {field} in /proc/self/status (Linux only)")


def reset_peak() -> bool:
    """Reset the peak RSS to the current RSS; False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def measure(workload: str, engine: str, limit: int | None = None, ops: int | None = None) -> dict:
    """Set up ``workload`` on ``engine``, then run one epoch (or one chain) and report RSS."""
    if workload in TRAINING_WORKLOADS:
        spec = TRAINING_WORKLOADS[workload]
        data = load_data(spec.dtype, limit)
        runner = make_runner(engine, spec, initial_weights(spec))
        batches = epoch_batches(len(data.x_train), spec.batch_size, np.random.default_rng(SEED))

        def run() -> Any:
            runner.train_epoch(data, batches)

    else:
        ops = ops or W4_DEFAULT_OPS
        chain, x = make_chain(engine, chain_ops(ops)), chain_input(1)
        make_chain(engine, chain_ops(WARM_UP_OPS))(x)  # one-time costs (thread pools) are setup

        def run() -> Any:
            return chain(x)

    gc.collect()
    baseline = status_kib("VmRSS")
    peak_reset = reset_peak()
    run()
    peak = status_kib("VmHWM")
    result = {
        "workload": workload,
        "engine": engine,
        "baseline_mib": baseline / KIB_PER_MIB,
        "peak_mib": peak / KIB_PER_MIB,
        "increment_mib": (peak - baseline) / KIB_PER_MIB,
        "peak_reset": peak_reset,
    }
    if ops is not None:
        result["ops"] = ops
    return result


def measure_in_subprocess(
    workload: str, engine: str, limit: int | None = None, ops: int | None = None
) -> dict:
    """``measure`` in a fresh Python process (same interpreter and environment)."""
    command = [sys.executable, "-m", "benchmarks.memory", workload, "--engine", engine]
    if limit is not None:
        command += ["--limit", str(limit)]
    if ops is not None:
        command += ["--ops", str(ops)]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory: {' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("workload", choices=[*TRAINING_WORKLOADS, "w4"])
    parser.add_argument("--engine", choices=ENGINES, required=True)
    parser.add_argument("--limit", type=int, help="train on the first N images only")
    parser.add_argument("--ops", type=int, help=f"W4's chain length (default {W4_DEFAULT_OPS})")
    args = parser.parse_args(argv)
    if problem := unsupported(args.workload, args.engine):
        parser.error(problem)
    result = measure(args.workload, args.engine, args.limit, args.ops)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
