"""The command line every example shares: one parser, checked values, one-line failures.

Each script builds its parser with ``parser(__doc__)`` and runs with ``run(main, args)``:

- ``--help`` shows every flag's default;
- a bad value is a usage error before any work starts: one line on stderr naming the flag and
  the accepted range, exit status 2 (``positive_int``, ``positive_float``, ``probability``,
  ``data_dir``, ``output_file`` ... are the ``type=`` of the flags);
- an output path (``--save``, ``--plot``, ``--out``) is checked while parsing, so a typo
  fails in a second, not after an hour of training; its folder is created when written;
- missing MNIST files are one line naming ``--data-dir`` and ``$AUTOGRAD_LITE_DATA``, exit 1;
- Ctrl-C is one line, exit 130 (the shell's code for SIGINT), not a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from autograd_lite.data import MNISTError

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a Ctrl-C
DATA_HINT = "point --data-dir (or $AUTOGRAD_LITE_DATA) at a folder with the four MNIST files"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """The docstring as written, and ``(default: ...)`` after every flag that has one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        shown = not (default is None or default is False or default == argparse.SUPPRESS)
        shown = shown and "%(default)" not in text
        if action.option_strings and shown:
            text += " (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parser(doc: str | None) -> Parser:
    """The parser of a script whose module docstring is ``doc`` (its first line is the
    summary; the rest is shown below the flags)."""
    summary, _, details = (doc or "").strip().partition("\n")
    return Parser(description=summary, epilog=details.strip() or None, formatter_class=_Formatter)


# --- value types: each raises ArgumentTypeError, which argparse turns into a usage error --


def _number(text: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        name = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {name}, got {text!r}") from None


def positive_int(text: str) -> int:
    """An integer >= 1 (sizes, epochs, counts)."""
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 (seeds)."""
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (learning rates, scales)."""
    value = _number(text, float)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0 (weight decay)."""
    value = _number(text, float)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def probability(text: str) -> float:
    """A dropout probability, in [0, 1): at 1 every unit would be dropped."""
    value = _number(text, float)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def data_dir(text: str) -> Path:
    """An existing folder to read data from; never created (a typo must not make one)."""
    path = Path(text).expanduser()
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text} {what}; {DATA_HINT}")
    return path


def input_file(text: str) -> Path:
    """An existing file to read."""
    path = Path(text).expanduser()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    return path


def output_file(text: str) -> Path:
    """A file to write: not a folder, and inside a folder that exists or can be made."""
    path = Path(text).expanduser()
    if path.is_dir() or text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name")
    _check_creatable(path.parent, text)
    return path


def output_dir(text: str) -> Path:
    """A folder to write into: it exists, or it can be made (it is made when written)."""
    path = Path(text).expanduser()
    _check_creatable(path, text)
    return path


def _check_creatable(folder: Path, text: str) -> None:
    """``folder`` is, or can become, a writable folder: its nearest existing ancestor is a
    writable folder (a file in the way, or a read-only place, is reported now)."""
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{text}: cannot write into {existing}")


def usage_error(message: str) -> NoReturn:
    """End with a usage error found after parsing (a ``--resume`` file of another run):
    one line and exit status 2, as the parser's own errors."""
    print(f"{Path(sys.argv[0]).name}: error: {message} (see --help)", file=sys.stderr)
    raise SystemExit(2)


# --- running -------------------------------------------------------------------------------


def run(main: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``main``; a data error or Ctrl-C ends the program with one line, not a traceback.

    ``KeyboardInterrupt("...")`` raised with a message (as ``train_mnist`` does to say what
    was saved) has that message printed.
    """
    prog = Path(sys.argv[0]).name
    try:
        return main(*args, **kwargs)
    except MNISTError as error:
        hint = "" if "--data-dir" in str(error) else f"; {DATA_HINT}"
        print(f"{prog}: {error}{hint}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt as interrupt:
        detail = f": {interrupt}" if str(interrupt) else ""
        print(f"\n{prog}: interrupted{detail}", file=sys.stderr)
        raise SystemExit(INTERRUPTED) from None
