"""Grad mode and anomaly mode belong to the thread that sets them, as in PyTorch.

Each test makes two threads overlap on purpose (barriers, not sleeps), so that the old
process-wide flags would have given the wrong answer every time.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from autograd_lite import Function, Tensor, detect_anomaly, is_grad_enabled, no_grad


def run_together(*targets):
    """Run each target in its own thread; re-raise the first exception any of them raised."""
    errors = []

    def guarded(target):
        try:
            target()
        except BaseException as error:  # noqa: BLE001 (handed to the main thread)
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_stopped_recording_in_another():
    inside, recorded = threading.Barrier(2), {}

    def evaluating():
        with no_grad():
            inside.wait()  # the other thread computes while this one is in no_grad
            inside.wait()

    def training():
        inside.wait()
        x = Tensor([1.0, 2.0], requires_grad=True)
        recorded["y"] = (x * x).sum()
        inside.wait()

    run_together(evaluating, training)
    assert recorded["y"].requires_grad
    assert is_grad_enabled()


def test_overlapping_no_grad_blocks_in_two_threads_left_grad_mode_off():
    # A enters, B enters, A leaves (restoring "on"), B leaves (restoring "off" as it saw it)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    after = {}

    def first():
        with no_grad():
            a_in.set()
            b_in.wait(10)
        a_out.set()
        after["first"] = is_grad_enabled()

    def second():
        a_in.wait(10)
        with no_grad():
            b_in.set()
            a_out.wait(10)
        after["second"] = is_grad_enabled()

    run_together(first, second)
    assert after == {"first": True, "second": True} and is_grad_enabled()


def test_a_backward_in_one_thread_turned_recording_off_in_the_others():
    during, recorded = threading.Barrier(2), {}

    class Pause(Function):
        """An op whose backward waits until the other thread has recorded."""

        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad):
            during.wait()  # backward is running here ...
            during.wait()  # ... while the other thread records
            return grad

    def backward_thread():
        x = Tensor([1.0], requires_grad=True)
        Pause.apply(x).sum().backward()

    def recording_thread():
        during.wait()
        x = Tensor([3.0], requires_grad=True)
        recorded["y"] = x * 2.0
        during.wait()

    run_together(backward_thread, recording_thread)
    assert recorded["y"].requires_grad


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_in_one_thread_raised_in_another():
    inside, results = threading.Barrier(2), {}

    def watching():
        with detect_anomaly():
            inside.wait()
            inside.wait()

    def computing():
        inside.wait()
        x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
        results["log"] = x.log()  # -inf is this thread's business: no anomaly mode here
        inside.wait()

    run_together(watching, computing)
    assert np.isneginf(results["log"].data[0])
