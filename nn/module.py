"""``Parameter`` and ``Module``: the base of every layer, and how a model finds its weights.

A module finds its parameters by walking its attributes in assignment order (``vars(self)``
is an insertion-ordered dict), depth first, into sub-modules and into lists, tuples and dicts
of modules or parameters. Names are dotted paths: ``layers.0.weight``. An object reached
twice (a shared layer or weight) is listed once, under the first name, and never a ``set``
decides the order, so it is the same in every run (a DeZero pitfall).

Buffers are tensors that belong to the model's state but are not trained (BatchNorm's running
mean and variance): ``register_buffer`` names them, and ``state_dict`` holds parameters and
buffers alike. Loading validates every entry before it assigns any (see ``serialization.py``),
so a failed load leaves the model exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from autograd_lite import Tensor

from . import serialization
from .errors import StateDictError


class Parameter(Tensor):
    """A Tensor that a ``Module`` trains: it requires grad unless told otherwise.

    >>> import numpy as np
    >>> from nn import Parameter
    >>> Parameter(np.zeros(3, dtype=np.float32)).requires_grad
    True
    """

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data, requires_grad=requires_grad)


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped: keys the model has and the dict lacks,
    and keys the dict has and the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _members(value: Any, name: str) -> Iterator[tuple[str, Module | Parameter]]:
    """The modules and parameters held by an attribute value, looking inside containers."""
    if isinstance(value, Module | Parameter):
        yield name, value
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _members(item, f"{name}.{i}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _members(item, f"{name}.{key}")


class Module:
    """Base class of layers and models: subclass it, set attributes, write ``forward``.

    >>> import numpy as np
    >>> from nn import Linear, Module
    >>> class Net(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.layers = [Linear(3, 4), Linear(4, 2)]
    ...     def forward(self, x):
    ...         return self.layers[1](self.layers[0](x).relu())
    >>> [name for name, _ in Net().named_parameters()]
    ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']
    """

    from .display import module_html as _repr_html_  # Jupyter shows a table (display.py)

    def __init__(self) -> None:
        self.training = True
        self._buffer_names: list[str] = []

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ discovery
    def register_buffer(self, name: str, value: Any) -> None:
        """Store ``value`` as the attribute ``name``: saved in ``state_dict``, never trained."""
        setattr(self, name, value if isinstance(value, Tensor) else Tensor(np.asarray(value)))
        if name not in self._buffer_names:
            self._buffer_names.append(name)

    def _own_members(self) -> Iterator[tuple[str, Module | Tensor, bool]]:
        """This module's direct sub-modules, parameters and buffers, in assignment order,
        each with a flag that is True for a buffer."""
        buffer_names = vars(self).get("_buffer_names")
        if buffer_names is None:
            raise AttributeError(
                f"{type(self).__name__}.__init__ did not call super().__init__(); "
                "add it as the first line of __init__"
            )
        for attr, value in vars(self).items():
            if attr in buffer_names:
                if isinstance(value, Tensor):  # a buffer set to None is skipped, as in PyTorch
                    yield attr, value, True
            else:
                for name, member in _members(value, attr):
                    yield name, member, False

    def _walk(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Module | Tensor, bool]]:
        """Depth first: every sub-module, parameter and buffer below this module, each once.

        ``seen`` holds the ids of objects already listed; it only answers "listed before?",
        the order comes from the walk.
        """
        for name, member, is_buffer in self._own_members():
            if id(member) in seen:
                continue
            seen.add(id(member))
            yield prefix + name, member, is_buffer
            if isinstance(member, Module):
                yield from member._walk(f"{prefix}{name}.", seen)

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        """``("", self)``, then every sub-module with its dotted name, each once."""
        yield "", self
        for name, member, _ in self._walk("", {id(self)}):
            if isinstance(member, Module):
                yield name, member

    def modules(self) -> Iterator[Module]:
        """Self, then every sub-module, each once (``named_modules`` without the names)."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their names (``layers.0`` for a list item), each once."""
        seen = {id(self)}
        for name, member, _ in self._own_members():
            if isinstance(member, Module) and id(member) not in seen:
                seen.add(id(member))
                yield name, member

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, each once, in assignment order."""
        for _, module in self.named_children():
            yield module

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module, children before their parent, then on self.

        The order is PyTorch's (``Sequential(a, b).apply(f)`` calls f(a), f(b), f(seq));
        a module reached twice is visited once. Returns self, for chaining:

        >>> from nn import Linear, Sequential
        >>> def zero_biases(m):
        ...     if isinstance(m, Linear):
        ...         m.bias.data[...] = 0
        >>> net = Sequential(Linear(2, 3), Linear(3, 1)).apply(zero_biases)
        >>> float(abs(net[0].bias.data).sum())
        0.0
        """
        for module in self._children_first(set()):
            fn(module)
        return self

    def _children_first(self, seen: set[int]) -> Iterator[Module]:
        """Every module below self and then self, each once (a post-order walk)."""
        seen.add(id(self))
        for child in self.children():
            if id(child) not in seen:
                yield from child._children_first(seen)
        yield self

    def num_parameters(self, only_trainable: bool = False) -> int:
        """The number of parameter elements, each parameter once (frozen ones too, unless
        ``only_trainable``): what ``print(model)`` reports on its last line."""
        return sum(p.size for p in self.parameters() if p.requires_grad or not only_trainable)

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (``layers.0.weight``), each once, in order."""
        for name, member, is_buffer in self._walk("", {id(self)}):
            if isinstance(member, Parameter) and not is_buffer:
                yield name, member

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter, each once, in assignment order (what an optimizer takes)."""
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        """Every buffer (``bn.running_mean``) with its dotted name, each once, in order."""
        for name, member, is_buffer in self._walk("", {id(self)}):
            if is_buffer:
                yield name, member

    def buffers(self) -> Iterator[Tensor]:
        """Every buffer, each once, in assignment order."""
        for _, buffer in self.named_buffers():
            yield buffer

    # ------------------------------------------------------------------ training state
    def zero_grad(self) -> None:
        """Forget every parameter's gradient (sets each ``.grad`` to None)."""
        for parameter in self.parameters():
            parameter.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every sub-module; return self."""
        for _, module in self.named_modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (dropout off, batch norm uses running statistics); return self."""
        return self.train(False)

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, np.ndarray]:
        """A snapshot of every parameter and buffer: dotted name -> a copy of its array."""
        return {name: t.data.copy() for name, t in self._walk_state()}

    def _walk_state(self) -> Iterator[tuple[str, Tensor]]:
        """Parameters and buffers together, in assignment order."""
        for name, member, is_buffer in self._walk("", {id(self)}):
            if is_buffer or isinstance(member, Parameter):
                yield name, member

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays (or Tensors) into the parameters and buffers of the same names.

        Every entry is checked first (shape and dtype must match exactly; with ``strict``, no
        key may be missing or unexpected); on any problem ``StateDictError`` lists them all
        and nothing is changed. Each tensor keeps its identity and gets a copy of the new
        values, so optimizers that hold the parameters keep working.
        """
        targets = dict(self._walk_state())
        arrays, missing, unexpected = serialization.check_state_dict(
            targets, state_dict, strict, f"load_state_dict into {type(self).__name__}"
        )
        for name, array in arrays.items():
            targets[name].data = np.array(array, copy=True)
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``state_dict()`` to ``path`` as an ``.npz`` archive, atomically.

        The archive is written to a temporary file in the same directory, then renamed over
        ``path``, so a failure mid-save leaves any previous file intact.
        """
        serialization.save_npz(path, self.state_dict())

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> IncompatibleKeys:
        """Load a file written by ``save``; a bad file or entry raises and changes nothing.

        ``CheckpointError`` names the file when it cannot be read (not an archive, truncated,
        pickled arrays); ``StateDictError`` names the file and the keys that do not fit.
        """
        arrays = serialization.read_npz(path)
        try:
            return self.load_state_dict(arrays, strict)
        except StateDictError as error:
            raise StateDictError(f"{os.fspath(path)}: {error}") from None

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """The layer's settings, shown in its repr: ``in_features=2, out_features=1``."""
        return ""

    def __repr__(self) -> str:
        """The module tree; a module with sub-modules adds a last line with the parameter
        count, as Keras' ``summary()`` ends: ``Total parameters: 1,234 (trainable: 1,234)``."""
        tree = self._tree_repr()
        if next(self.children(), None) is None:
            return tree
        total, trainable = self.num_parameters(), self.num_parameters(only_trainable=True)
        return f"{tree}\nTotal parameters: {total:,} (trainable: {trainable:,})"

    def _tree_repr(self) -> str:
        children = [(n, m) for n, m, _ in self._own_members() if isinstance(m, Module)]
        name, extra = type(self).__name__, self.extra_repr()
        if not children:
            return f"{name}({extra})"
        lines = [extra] if extra else []
        lines += [f"({n}): " + m._tree_repr().replace("\n", "\n  ") for n, m in children]
        return f"{name}(\n" + "".join(f"  {line}\n" for line in lines) + ")"
