"""The `rfp` command line: the only module that parses argv, prints, logs or exits."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit import __version__
from toolkit.errors import MissingInputError, ToolkitError
from toolkit.paths import PATCHES

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace], int]
Parent = argparse.ArgumentParser


class NotImplementedYet(Exception):
    """A subcommand whose issue has not landed: the CLI says so instead of inventing output."""


def _not_implemented(args: argparse.Namespace) -> int:
    raise NotImplementedYet(f"{args.command}: not implemented yet")


def _existing(path: str) -> Path:
    """`path` as a Path, or a MissingInputError naming it."""
    found = Path(path)
    if not found.exists():
        raise MissingInputError("no such file or directory", found)
    return found


# -- audit -----------------------------------------------------------------


def _add_audit(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser(
        "audit",
        parents=[common],
        help="map every hunk of a series to the VM change it makes and check the series",
    )
    p.add_argument("path", nargs="?", help="quilt directory, mbox, diff or directory of patches")
    p.add_argument("--rules", metavar="FILE", help="classification rules (default: bundled)")
    p.add_argument("--manifest", metavar="FILE", help="series manifest to compare with")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--stat", action="store_true", help="files and +/- per patch only")
    p.add_argument("--verbose", "-v", action="store_true", help="every hunk with its evidence")
    p.add_argument(
        "--fail-on",
        choices=("info", "warning", "error", "never"),
        default="error",
        help="exit 1 when a finding this severe or worse exists (default: error)",
    )
    p.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    """Classify a series and report whole-series findings."""
    path = _existing(args.path or str(PATCHES))
    from toolkit.classify.audit import audit_path, default_manifest, stat_path, worst
    from toolkit.classify.checks import Lifecycle
    from toolkit.classify.progress import progress_bar
    from toolkit.classify.records import Severity
    from toolkit.classify.render import render

    manifest = _existing(args.manifest) if args.manifest else default_manifest(path)
    with progress_bar(f"auditing {path}") as progress:
        lifecycles: tuple[Lifecycle, ...] = ()
        if args.stat:
            audit = stat_path(path, manifest, progress)
        else:
            result = audit_path(path, args.rules, manifest, progress)
            audit, lifecycles = result.audit, result.lifecycles
    print(render(audit, args.format, args.verbose, lifecycles), end="")
    found = worst(audit)
    if args.fail_on == "never" or found is None:
        return EXIT_OK
    return EXIT_FINDINGS if found.rank >= Severity(args.fail_on).rank else EXIT_OK


# -- series ----------------------------------------------------------------


def _add_series(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser("series", parents=[common], help="list the patches of a series")
    p.add_argument("path", nargs="?", help="quilt directory, mbox, diff or directory of patches")
    p.set_defaults(func=cmd_series)


def cmd_series(args: argparse.Namespace) -> int:
    """List the patches of a series."""
    return _not_implemented(args)


# -- port, encode, decode --------------------------------------------------


def _add_port(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser(
        "port", parents=[common], help="render the file-PTE macros and port patch per arch"
    )
    p.add_argument("arches", nargs="*", metavar="ARCH")
    p.set_defaults(func=cmd_port)
    p = sub.add_parser("encode", parents=[common], help="encode file-PTE offsets for an arch")
    p.add_argument("pgoff", nargs="*", metavar="PGOFF")
    p.set_defaults(func=cmd_encode)
    p = sub.add_parser("decode", parents=[common], help="decode file PTEs of an arch")
    p.add_argument("pte", nargs="*", metavar="PTE")
    p.set_defaults(func=cmd_decode)


def cmd_port(args: argparse.Namespace) -> int:
    """Write per-arch header fragments, port patches and diagrams."""
    return _not_implemented(args)


def cmd_encode(args: argparse.Namespace) -> int:
    """Print the file PTE of each page offset."""
    return _not_implemented(args)


def cmd_decode(args: argparse.Namespace) -> int:
    """Print the offset and protection held in each PTE."""
    return _not_implemented(args)


# -- verify ----------------------------------------------------------------


def _add_verify(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser("verify", parents=[common], help="prove every encoding round-trips")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """Prove and test the file-PTE encodings."""
    return _not_implemented(args)


# -- model -----------------------------------------------------------------


def _add_model(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser("model", parents=[common], help="run scenarios on the reference VM model")
    p.set_defaults(func=cmd_model)


def cmd_model(args: argparse.Namespace) -> int:
    """Run scenarios on the model, bisect the series, compare with the kernel."""
    return _not_implemented(args)


# -- main ------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `rfp` and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a subcommand's default from overwriting a --debug given before it.
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and debug logging",
    )
    parser = argparse.ArgumentParser(
        prog="rfp",
        description="Audit, port, verify and model the remap_file_pages protection series.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"rfp-toolkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (_add_audit, _add_series, _add_port, _add_verify, _add_model):
        add(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `rfp` with `argv` and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="rfp: %(levelname)s: %(message)s",
    )
    func: Command = args.func
    try:
        return func(args)
    except NotImplementedYet as exc:
        print(f"rfp: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ToolkitError as exc:
        if debug:
            traceback.print_exc()
        print(f"rfp: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rfp: interrupted", file=sys.stderr)
        return 130
