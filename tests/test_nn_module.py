"""Tests of ``nn.module``: Parameter, parameter and buffer discovery (order, dotted names,
containers, sharing), train/eval, zero_grad, repr, and state dicts (round trip and every kind
of bad entry, which must raise and leave the model exactly as it was)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import DTypeError, Tensor


class Block(nn.Module):
    """A sub-module with a layer, a bare parameter and a buffer."""

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2, rng=rng)
        self.scale = nn.Parameter(np.ones(2, dtype=np.float32))
        self.register_buffer("count", np.zeros(1, dtype=np.float32))

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    """Attributes assigned out of alphabetical order, with every kind of container."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        rng = np.random.default_rng(seed)
        self.zeta = nn.Linear(2, 2, rng=rng)
        self.config = {"lr": 0.1, "sizes": [2, 2]}  # not modules: ignored
        self.blocks = [Block(rng), Block(rng)]
        self.heads = {"b": nn.Linear(2, 1, rng=rng), "a": nn.Linear(2, 1, rng=rng, bias=False)}
        self.pair = (nn.Parameter(np.zeros(1, dtype=np.float32)), nn.ReLU())
        self.cache = Tensor(np.zeros(3))  # a plain tensor: neither parameter nor buffer
        self.alpha = nn.Parameter(np.ones(1, dtype=np.float32))

    def forward(self, x):
        h = self.zeta(x)
        for block in self.blocks:
            h = block(h)
        return self.heads["b"](h) + self.heads["a"](h) + self.alpha + self.pair[0]


NET_PARAMETERS = [
    "zeta.weight",
    "zeta.bias",
    "blocks.0.fc.weight",
    "blocks.0.fc.bias",
    "blocks.0.scale",
    "blocks.1.fc.weight",
    "blocks.1.fc.bias",
    "blocks.1.scale",
    "heads.b.weight",
    "heads.b.bias",
    "heads.a.weight",
    "pair.0",
    "alpha",
]


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    """Copies of every parameter and buffer, gathered without ``state_dict``."""
    named = [*model.named_parameters(), *model.named_buffers()]
    return {name: t.data.copy() for name, t in named}


def assert_same_state(model: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = snapshot(model)
    assert list(after) == list(before)
    for name, array in before.items():
        assert after[name].dtype == array.dtype, name
        assert np.array_equal(after[name], array), name


# --- Parameter ---------------------------------------------------------------------------------


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(np.zeros(3, dtype=np.float32))
    assert isinstance(p, Tensor) and p.requires_grad and p.dtype == np.float32
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad
    with pytest.raises(DTypeError, match="only float tensors can require grad"):
        nn.Parameter(np.zeros(2, dtype=np.int64))


# --- discovery ---------------------------------------------------------------------------------


def test_named_parameters_follow_assignment_order_into_every_container():
    assert [name for name, _ in Net().named_parameters()] == NET_PARAMETERS


def test_parameters_are_the_same_objects_as_named_parameters():
    net = Net()
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
    assert any(p is net.blocks[1].scale for p in net.parameters())  # == is elementwise


def test_order_is_the_same_for_every_instance():
    assert [n for n, _ in Net(1).named_parameters()] == [n for n, _ in Net(2).named_parameters()]


def test_buffers_are_named_found_and_not_parameters():
    net = Net()
    assert [name for name, _ in net.named_buffers()] == ["blocks.0.count", "blocks.1.count"]
    assert [id(b) for b in net.buffers()] == [id(net.blocks[0].count), id(net.blocks[1].count)]
    assert all(not b.requires_grad for b in net.buffers())
    assert not any(name.endswith("count") for name, _ in net.named_parameters())


def test_a_buffer_set_to_none_is_skipped():
    bn = nn.BatchNorm1d(2)
    bn.running_var = None
    assert [name for name, _ in bn.named_buffers()] == ["running_mean"]


def test_a_shared_layer_and_a_tied_weight_are_listed_once_under_their_first_name():
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, nn.ReLU(), shared)
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias"]

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Linear(3, 3)
            self.decoder = nn.Linear(3, 3)
            self.decoder.weight = self.encoder.weight

    assert [name for name, _ in Tied().named_parameters()] == [
        "encoder.weight",
        "encoder.bias",
        "decoder.bias",
    ]


def test_a_reference_cycle_between_modules_does_not_loop():
    parent = nn.Sequential(nn.Linear(1, 1))
    parent[0].owner = parent
    parent.itself = parent
    assert [name for name, _ in parent.named_parameters()] == ["0.weight", "0.bias"]


def test_named_modules_lists_self_then_every_submodule_once():
    net = Net()
    names = [name for name, _ in net.named_modules()]
    assert names == ["", "zeta", "blocks.0", "blocks.0.fc", "blocks.1", "blocks.1.fc"] + [
        "heads.b",
        "heads.a",
        "pair.1",
    ]
    assert dict(net.named_modules())["blocks.1.fc"] is net.blocks[1].fc


def test_register_buffer_wraps_arrays_and_keeps_tensors():
    module = nn.Module()
    module.register_buffer("steps", np.zeros(2, dtype=np.int64))
    tensor = Tensor(np.ones(3))
    module.register_buffer("table", tensor)
    assert isinstance(module.steps, Tensor) and module.steps.dtype == np.int64
    assert module.table is tensor
    assert list(module.state_dict()) == ["steps", "table"]


# --- forward, zero_grad, train/eval -------------------------------------------------------------


def test_base_forward_names_the_class_that_lacks_it():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="NoForward does not define forward"):
        NoForward()(1)


def test_forgetting_super_init_is_explained():
    class Forgetful(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"Forgetful.__init__ did not call super\(\).__init__"):
        list(Forgetful().parameters())


def test_call_passes_arguments_to_forward():
    class Affine(nn.Module):
        def forward(self, x, scale=1.0, *, shift=0.0):
            return x * scale + shift

    assert Affine()(2.0, 3.0, shift=1.0) == 7.0


def test_zero_grad_clears_every_gradient():
    net = Net()
    net(np.ones((3, 2), dtype=np.float32)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_and_eval_reach_every_submodule_and_return_self():
    net = Net()
    assert net.training
    assert net.eval() is net
    assert all(not m.training for _, m in net.named_modules())
    assert net.train() is net
    assert all(m.training for _, m in net.named_modules())
    net.train(False)
    assert not net.blocks[1].fc.training


# --- repr ---------------------------------------------------------------------------------------


def test_repr_is_an_indented_tree_with_container_paths_and_settings():
    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.1)
            self.layers = [nn.Linear(4, 2), nn.Sigmoid()]

        def extra_repr(self):
            return "classes=2"

    assert repr(Head()) == (
        "Head(\n"
        "  classes=2\n"
        "  (drop): Dropout(p=0.1)\n"
        "  (layers.0): Linear(in_features=4, out_features=2, bias=True)\n"
        "  (layers.1): Sigmoid()\n"
        ")\n"
        "Total parameters: 10 (trainable: 10)"
    )
    assert repr(nn.Module()) == "Module()"


def test_repr_counts_parameters_once_at_the_root_with_thousands_separators():
    net = nn.Sequential(nn.Linear(100, 30), nn.ReLU(), nn.Sequential(nn.Linear(30, 10)))
    net[0].bias.requires_grad = False  # frozen: counted in the total only
    text = repr(net)
    assert text.count("Total parameters") == 1
    assert text.endswith("\n  )\n)\nTotal parameters: 3,340 (trainable: 3,310)")


def test_num_parameters_counts_each_shared_parameter_once():
    shared = nn.Linear(3, 4)
    net = nn.Sequential(shared, nn.ReLU(), shared)
    assert net.num_parameters() == 16 == shared.num_parameters()
    shared.weight.requires_grad = False
    assert net.num_parameters(only_trainable=True) == 4


# --- modules, children, apply -------------------------------------------------------------------


def test_modules_children_and_named_children_follow_assignment_order():
    net = Net()
    assert list(net.modules()) == [m for _, m in net.named_modules()]
    assert list(net.modules())[0] is net
    names = [name for name, _ in net.named_children()]
    assert names == ["zeta", "blocks.0", "blocks.1", "heads.b", "heads.a", "pair.1"]
    assert list(net.children()) == [m for _, m in net.named_children()]
    assert list(net.blocks[0].named_children()) == [("fc", net.blocks[0].fc)]


def test_children_lists_a_shared_module_once_and_skips_self():
    layer = nn.Linear(1, 1)
    net = nn.Sequential(layer, nn.ReLU(), layer)
    net.itself = net
    assert [name for name, _ in net.named_children()] == ["0", "1"]


def test_apply_visits_children_before_parents_in_order_and_returns_self():
    inner = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    net = nn.Sequential(nn.Linear(2, 2), inner, inner)
    net.loop = net  # a cycle: visited once, no recursion without end
    visited = []
    assert net.apply(visited.append) is net
    assert visited == [net[0], inner[0], inner[1], inner, net]


def test_apply_can_initialize_every_linear_layer():
    def init_linear(module):
        if isinstance(module, nn.Linear):
            module.weight.data[...] = 0.5

    net = nn.MLP([3, 4, 2]).apply(init_linear)
    assert all(
        np.all(layer.weight.data == 0.5) for layer in net.layers if isinstance(layer, nn.Linear)
    )


# --- state_dict / load_state_dict ----------------------------------------------------------------


def test_state_dict_has_parameters_and_buffers_in_order_as_copies():
    net = Net()
    state = net.state_dict()
    assert list(state) == [
        *NET_PARAMETERS[:5],
        "blocks.0.count",
        *NET_PARAMETERS[5:8],
        "blocks.1.count",
        *NET_PARAMETERS[8:],
    ]
    assert all(isinstance(a, np.ndarray) for a in state.values())
    state["zeta.weight"][...] = 42.0
    assert not np.any(net.zeta.weight.data == 42.0)
    net.zeta.weight.data[...] = -1.0
    assert not np.any(state["zeta.weight"] == -1.0)


def test_load_state_dict_copies_values_into_the_same_objects():
    source, target = Net(seed=1), Net(seed=2)
    weight = target.zeta.weight
    result = target.load_state_dict(source.state_dict())
    assert result == nn.IncompatibleKeys([], [])
    assert target.zeta.weight is weight
    assert_same_state(target, snapshot(source))
    x = np.random.default_rng(0).standard_normal((3, 2)).astype(np.float32)
    assert np.array_equal(target(x).data, source(x).data)


def test_load_state_dict_accepts_tensors():
    source, target = Net(seed=1), Net(seed=2)
    target.load_state_dict({k: Tensor(v) for k, v in source.state_dict().items()})
    assert_same_state(target, snapshot(source))


def bad_state(edit) -> dict:
    state = Net(seed=9).state_dict()
    edit(state)
    return state


BAD_STATES = {
    "missing": (lambda s: s.pop("blocks.1.scale"), r"missing key 'blocks\.1\.scale'"),
    "unexpected": (lambda s: s.update(extra=np.zeros(1)), r"unexpected key 'extra'"),
    "shape": (
        lambda s: s.update({"heads.a.weight": np.zeros((1, 2), dtype=np.float32)}),
        r"'heads\.a\.weight': shape \(1, 2\) in the state dict, \(2, 1\) in the model",
    ),
    "dtype": (
        lambda s: s.update({"alpha": np.ones(1)}),
        r"'alpha': dtype float64 in the state dict, float32 in the model.*astype",
    ),
    "buffer dtype": (
        lambda s: s.update({"blocks.0.count": np.zeros(1, dtype=np.int32)}),
        r"'blocks\.0\.count': dtype int32",
    ),
    "not an array": (lambda s: s.update(alpha="one"), r"'alpha': shape \(\) in the state dict"),
}


@pytest.mark.parametrize("case", BAD_STATES)
def test_a_bad_state_dict_raises_naming_the_key_and_changes_nothing(case):
    edit, message = BAD_STATES[case]
    net = Net(seed=1)
    before = snapshot(net)
    with pytest.raises(nn.StateDictError, match=message):
        net.load_state_dict(bad_state(edit))
    assert_same_state(net, before)


def test_every_problem_is_reported_at_once():
    def edit(state):
        state.pop("alpha")
        state["zeta.bias"] = np.zeros(5, dtype=np.float32)
        state["ghost"] = np.zeros(1)

    with pytest.raises(nn.StateDictError) as error:
        Net().load_state_dict(bad_state(edit))
    message = str(error.value)
    assert "load_state_dict into Net: 3 problem(s), nothing was loaded" in message
    assert "'alpha'" in message and "'zeta.bias'" in message and "'ghost'" in message
    assert isinstance(error.value, ValueError)


def test_non_strict_loading_skips_missing_and_unexpected_keys_and_reports_them():
    source, target = Net(seed=1), Net(seed=2)
    before = snapshot(target)
    state = source.state_dict()
    state.pop("alpha")
    state["extra"] = np.zeros(1)
    result = target.load_state_dict(state, strict=False)
    assert result.missing_keys == ["alpha"] and result.unexpected_keys == ["extra"]
    assert np.array_equal(target.alpha.data, before["alpha"])
    assert np.array_equal(target.zeta.weight.data, source.zeta.weight.data)


def test_non_strict_loading_still_rejects_wrong_shapes_and_changes_nothing():
    net = Net(seed=1)
    before = snapshot(net)
    state = Net(seed=2).state_dict()
    state["alpha"] = np.ones(3, dtype=np.float32)
    with pytest.raises(nn.StateDictError, match="'alpha': shape"):
        net.load_state_dict(state, strict=False)
    assert_same_state(net, before)
