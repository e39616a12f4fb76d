"""The chapter 1-4 example scripts, run with small settings and checked against the notes.

Each expected value is derived here independently of the script: written out from the notes
(truth tables, the 3-layer output, the shopping numbers) or computed from a closed form
(the gradient of x0^2 + x1^2, of softmax cross-entropy, the geometric decay of gradient
descent on a quadratic).
"""

from __future__ import annotations

import numpy as np
import pytest

from examples import (
    book_layers,
    gradient_check,
    logic_gates,
    numerical_gradient_descent,
    simple_net,
    three_layer_network,
)

# --- logic_gates ----------------------------------------------------------------------------

TRUTH_TABLES = {
    "AND": {(0, 0): 0, (1, 0): 0, (0, 1): 0, (1, 1): 1},
    "NAND": {(0, 0): 1, (1, 0): 1, (0, 1): 1, (1, 1): 0},
    "OR": {(0, 0): 0, (1, 0): 1, (0, 1): 1, (1, 1): 1},
    "XOR": {(0, 0): 0, (1, 0): 1, (0, 1): 1, (1, 1): 0},
}


@pytest.fixture(scope="module")
def logic_gates_run():
    return logic_gates.main(steps=300)


def test_gates_have_the_notes_truth_tables(logic_gates_run):
    assert logic_gates_run["truth_tables"] == TRUTH_TABLES


def test_gate_truth_tables_are_printed(capsys):
    logic_gates.main(steps=1)
    out = capsys.readouterr().out
    for name in TRUTH_TABLES:
        assert f"{name}: x1 x2 | y" in out
    assert "       1  1 | 0" in out  # NAND and XOR of (1, 1)


def test_mlp_learns_xor_but_a_single_layer_cannot(logic_gates_run):
    assert logic_gates_run["mlp_accuracy"] == 1.0
    outputs = logic_gates_run["mlp_outputs"]
    np.testing.assert_array_equal(outputs > 0.5, [False, True, True, False])
    assert logic_gates_run["mlp_losses"][-1] < logic_gates_run["mlp_losses"][0]
    assert logic_gates_run["single_layer_accuracy"] < 1.0


def test_no_single_perceptron_on_a_grid_solves_xor():
    # Any line misclassifies at least one of the four XOR points, so 3/4 is the best.
    assert logic_gates.best_single_perceptron_on_xor() == 0.75


# --- three_layer_network --------------------------------------------------------------------


def test_three_layer_network_gives_the_notes_output_both_ways(capsys):
    result = three_layer_network.main()
    expected = np.array([0.31682708, 0.69627909])
    np.testing.assert_allclose(result["y_numpy"], expected, atol=1e-8)
    np.testing.assert_allclose(result["y_tensor"], result["y_numpy"], rtol=0, atol=1e-15)
    assert "[0.31682708 0.69627909]" in capsys.readouterr().out


def test_activation_functions_on_a_small_input():
    result = three_layer_network.main()
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    acts = result["activations"]
    np.testing.assert_array_equal(acts["step"], [0, 0, 1, 1])
    np.testing.assert_array_equal(acts["relu"], [0, 0, 1, 2])
    np.testing.assert_array_equal(acts["identity"], x)
    np.testing.assert_allclose(
        acts["sigmoid"], [0.26894142, 0.5, 0.73105858, 0.88079708], rtol=0, atol=1e-8
    )
    np.testing.assert_allclose(acts["softmax"], np.exp(x) / np.exp(x).sum())
    for name, value in result["tensor_activations"].items():
        np.testing.assert_allclose(value, acts[name], rtol=1e-14)


def test_softmax_is_overflow_safe_where_the_naive_form_is_not():
    result = three_layer_network.main()
    # e^(a - 1010) for a = 1010, 1000, 990, normalized.
    shifted = np.exp([0.0, -10.0, -20.0])
    np.testing.assert_allclose(result["softmax_large"], shifted / shifted.sum(), rtol=1e-12)
    assert np.all(np.isnan(result["naive_softmax_large"]))


# --- numerical_gradient_descent -------------------------------------------------------------


@pytest.fixture(scope="module")
def descent_run():
    return numerical_gradient_descent.main()


def test_numerical_diff_matches_the_notes(descent_run, capsys):
    derivatives = descent_run["derivatives"]
    assert derivatives[5.0] == pytest.approx(0.1999999999990898, abs=1e-15)
    assert derivatives[10.0] == pytest.approx(0.2999999999986347, abs=1e-15)
    # The true derivative 0.02 x + 0.1.
    assert derivatives[5.0] == pytest.approx(0.2, abs=1e-9)
    assert derivatives[10.0] == pytest.approx(0.3, abs=1e-9)
    numerical_gradient_descent.main(step_num=1)
    assert "0.1999999999990898" in capsys.readouterr().out


def test_partial_derivatives_and_gradients(descent_run):
    assert descent_run["partials"] == pytest.approx((6.0, 8.0), abs=1e-9)
    for point in [(3.0, 4.0), (0.0, 2.0), (3.0, 0.0)]:
        true_gradient = 2 * np.array(point)
        np.testing.assert_allclose(
            descent_run["numerical_gradients"][point], true_gradient, atol=1e-9
        )
        np.testing.assert_array_equal(descent_run["backprop_gradients"][point], true_gradient)
        assert descent_run["gradient_diffs"][point] < 1e-7


def test_gradient_descent_with_the_three_learning_rates(descent_run):
    start = np.array([-3.0, 4.0])
    descents = descent_run["descents"]
    # On x0^2 + x1^2 each step multiplies x by (1 - 2 lr).
    np.testing.assert_allclose(descents[0.1], 0.8**100 * start, rtol=1e-6, atol=1e-15)
    assert np.max(np.abs(descents[0.1])) < 1e-8
    np.testing.assert_allclose(descents[1e-10], (1 - 2e-10) ** 100 * start, rtol=1e-12)
    assert np.max(np.abs(descents[1e-10] - start)) < 1e-6  # too small: barely moved
    assert np.max(np.abs(descents[10.0])) > 1e10  # too large: diverged
    np.testing.assert_allclose(descent_run["backprop_descent"], 0.8**100 * start, rtol=1e-9)


def test_gradient_descent_leaves_the_start_point_alone():
    start = np.array([-3.0, 4.0])
    numerical_gradient_descent.gradient_descent(numerical_gradient_descent.function_2, start)
    np.testing.assert_array_equal(start, [-3.0, 4.0])


# --- simple_net -----------------------------------------------------------------------------


def softmax_cross_entropy_gradient(W, x, t, eps=1e-7):
    """dL/dW of L = -log(y_k + eps), y = softmax(x W), k the labelled class.

    dL/dp = -1/(y_k + eps) * dy_k/dp = y_k / (y_k + eps) * (y - t), and dL/dW = outer(x, dL/dp).
    """
    p = x @ W
    y = np.exp(p - p.max()) / np.exp(p - p.max()).sum()
    k = int(np.argmax(t))
    return np.outer(x, y[k] / (y[k] + eps) * (y - t))


@pytest.mark.parametrize("seed", [None, 0, 1])
def test_simple_net_numerical_and_backprop_gradients_agree(seed, capsys):
    result = simple_net.main(seed=seed)
    x, t = np.array([0.6, 0.9]), np.array([0.0, 0.0, 1.0])
    expected = softmax_cross_entropy_gradient(result["W"], x, t)
    np.testing.assert_allclose(result["dW_backprop"], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["dW_numerical"], expected, rtol=0, atol=1e-7)
    assert np.max(np.abs(result["dW_numerical"] - result["dW_backprop"])) < 1e-7
    assert result["max_abs_diff"] < 1e-7
    # Without the guard (log_softmax) the gradient is exactly outer(x, y - t).
    unguarded = softmax_cross_entropy_gradient(result["W"], x, t, eps=0.0)
    np.testing.assert_allclose(result["dW_log_softmax"], unguarded, rtol=0, atol=1e-12)
    assert "dW (numerical)" in capsys.readouterr().out


def test_simple_net_with_the_books_weights_gives_the_books_numbers():
    result = simple_net.main()
    np.testing.assert_allclose(result["p"], [1.05414809, 0.63071653, 1.1328074], atol=1e-8)
    assert result["loss"] == pytest.approx(0.928068, abs=1e-6)
    assert result["loss_tensor"] == pytest.approx(result["loss"], abs=1e-14)
    np.testing.assert_allclose(
        result["dW_numerical"],
        [[0.21924763, 0.14356247, -0.36281009], [0.32887144, 0.2153437, -0.54421514]],
        atol=1e-6,
    )


# --- book_layers ----------------------------------------------------------------------------

SHOPPING_GRADS = {"apple": 2.2, "apple_num": 110, "orange": 3.3, "orange_num": 165, "tax": 650}


def test_shopping_example_both_ways(capsys):
    result = book_layers.main()
    assert result["price"] == pytest.approx(715.0, rel=1e-12)
    assert result["tensor_price"] == pytest.approx(715.0, rel=1e-12)
    for name, expected in SHOPPING_GRADS.items():
        assert result["grads"][name] == pytest.approx(expected, rel=1e-12)
        assert result["tensor_grads"][name] == pytest.approx(expected, rel=1e-12)
    out = capsys.readouterr().out
    assert "price 715.0" in out
    assert "dapple 2.2  dapple_num 110  dorange 3.3  dorange_num 165  dtax 650" in out


def test_each_hand_written_layer_matches_autograd_lite():
    for seed in range(3):
        for name, difference in book_layers.layer_by_layer_differences(seed).items():
            assert difference < 1e-12, name


@pytest.mark.parametrize(
    "sizes, seed",
    [((5, 4, 6, 3), 0), ((1, 3, 2, 2), 1), ((8, 10, 7, 4), 2), ((3, 784, 5, 10), 3)],
)
def test_layered_two_layer_net_gradients_equal_the_tensor_gradients(sizes, seed):
    params, x, t = book_layers.random_problem(*sizes, seed=seed)
    layered, tensor = book_layers.two_layer_gradients(params, x, t)
    assert set(layered) == set(tensor) == {"W1", "b1", "W2", "b2"}
    for name in layered:
        assert layered[name].shape == params[name].shape
        assert layered[name].dtype == tensor[name].dtype == np.float64
        np.testing.assert_allclose(layered[name], tensor[name], rtol=0, atol=1e-12, err_msg=name)


def test_layered_two_layer_net_gradient_matches_softmax_cross_entropy_by_hand():
    params, x, t = book_layers.random_problem(4, 3, 5, 3, seed=4)
    layered, _ = book_layers.two_layer_gradients(params, x, t)
    # Independent derivation: dscores = (softmax - t)/N, db2 = column sums, dW2 = h^T dscores.
    a = x @ params["W1"] + params["b1"]
    h = np.maximum(a, 0)
    scores = h @ params["W2"] + params["b2"]
    y = np.exp(scores - scores.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    dscores = (y - t) / len(x)
    da = (dscores @ params["W2"].T) * (a > 0)
    expected = {"W1": x.T @ da, "b1": da.sum(axis=0), "W2": h.T @ dscores, "b2": dscores.sum(0)}
    for name, value in expected.items():
        np.testing.assert_allclose(layered[name], value, rtol=0, atol=1e-12, err_msg=name)


def test_relu_layer_backward_does_not_overwrite_the_incoming_gradient():
    relu = book_layers.Relu()
    relu.forward(np.array([-1.0, 2.0]))
    dout = np.array([5.0, 7.0])
    np.testing.assert_array_equal(relu.backward(dout), [0.0, 7.0])
    np.testing.assert_array_equal(dout, [5.0, 7.0])


def test_layered_net_does_not_modify_the_given_parameters():
    params, x, t = book_layers.random_problem(2, 3, 4, 2, seed=5)
    copies = {name: value.copy() for name, value in params.items()}
    book_layers.two_layer_gradients(params, x, t)
    for name in params:
        np.testing.assert_array_equal(params[name], copies[name])


# --- gradient_check -------------------------------------------------------------------------


def test_gradient_check_on_mnist(mnist_dir, capsys):
    differences = gradient_check.main(data_dir=mnist_dir, n_images=3, hidden_size=5)
    assert set(differences) == {"W1", "b1", "W2", "b2"}
    for name, difference in differences.items():
        assert 0 <= difference < 1e-7, name
    out = capsys.readouterr().out
    assert "TwoLayerNet 784-5-10 (3985 parameters) on 3 MNIST images" in out
    for name in differences:
        assert f"  {name}: mean |difference|" in out
