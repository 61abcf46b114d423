"""The `rfp` command line: the only module that parses argv, prints, logs or exits."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit import __version__
from toolkit.errors import InputError, MissingInputError, ToolkitError
from toolkit.paths import PATCHES

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace], int]
Parent = argparse.ArgumentParser


def _existing(path: str) -> Path:
    """`path` as a Path, or a MissingInputError naming it."""
    found = Path(path)
    if not found.exists():
        # a link that leads nowhere (dangling, or a loop) is there but cannot be read
        if found.is_symlink():
            raise MissingInputError("cannot resolve symbolic link", found)
        raise MissingInputError("no such file or directory", found)
    return found


def _check_git_range(args: argparse.Namespace) -> None:
    """`--git REPO` and `--range A..B` are given together or not at all."""
    if bool(args.git) != bool(args.range):
        raise InputError("--git REPO and --range A..B go together", args.git or args.range)


# -- audit -----------------------------------------------------------------


def _add_audit(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser(
        "audit",
        parents=[common],
        help="map every hunk of a series to the VM change it makes and check the series",
    )
    p.add_argument("path", nargs="?", help="quilt directory, mbox, diff or directory of patches")
    p.add_argument("--git", metavar="REPO", help="audit commits of this git repository")
    p.add_argument("--range", metavar="A..B", help="the commits to audit with --git")
    p.add_argument("--rules", metavar="FILE", help="classification rules (default: bundled)")
    p.add_argument("--manifest", metavar="FILE", help="series manifest to compare with")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--stat", action="store_true", help="files and +/- per patch only")
    p.add_argument(
        "--parse-all",
        action="store_true",
        help="parse every hunk with tree-sitter, not only those a rule or check may need "
        "(slower; exact whole-series facts on a long log)",
    )
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
    _check_git_range(args)
    path = _existing(args.git or args.path or str(PATCHES))
    from toolkit.classify.audit import audit_path, default_manifest, stat_path, worst
    from toolkit.classify.progress import progress_bar
    from toolkit.classify.records import Severity
    from toolkit.classify.render import render

    manifest = _existing(args.manifest) if args.manifest else None
    if manifest is None and not args.git:
        manifest = default_manifest(path)
    with progress_bar(f"auditing {path}") as progress:
        if args.stat:
            result = stat_path(path, manifest, progress, git_range=args.range)
        else:
            keep = args.verbose or args.format == "json"
            result = audit_path(
                path,
                args.rules,
                manifest,
                progress,
                keep_hunks=keep,
                git_range=args.range,
                prefilter=not args.parse_all,
            )
    print(render(result.audit, args.format, args.verbose, result.lifecycles), end="")
    found = worst(result.audit)
    if args.fail_on == "never" or found is None:
        return EXIT_OK
    return EXIT_FINDINGS if found.rank >= Severity(args.fail_on).rank else EXIT_OK


# -- series ----------------------------------------------------------------


def _add_series(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser("series", parents=[common], help="list the patches of a series")
    p.add_argument(
        "path", nargs="?", help="quilt directory, mbox, diff, git log or directory of patches"
    )
    p.add_argument("--git", metavar="REPO", help="read commits of this git repository")
    p.add_argument("--range", metavar="A..B", help="the commits to read with --git")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--export-mbox", metavar="OUT", help="also write the series as an mbox")
    p.set_defaults(func=cmd_series)


def cmd_series(args: argparse.Namespace) -> int:
    """List the patches of a series, optionally writing it out as an mbox."""
    from toolkit.series import read_series, table, to_json, write_mbox

    _check_git_range(args)
    if args.git:
        series = read_series(_existing(args.git), git_range=args.range)
    else:
        series = read_series(_existing(args.path or str(PATCHES)))
    if args.export_mbox:
        write_mbox(series, args.export_mbox)
    print(to_json(series) if args.format == "json" else table(series), end="")
    return EXIT_OK


# -- port, encode, decode --------------------------------------------------


def _add_port(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser(
        "port", parents=[common], help="render the file-PTE macros and port patch per arch"
    )
    p.add_argument("arches", nargs="*", metavar="ARCH")
    p.add_argument("--all", action="store_true", help="every arch in archs/ with such a layout")
    p.add_argument("--layout", choices=("solver", "2005"), default="solver")
    p.add_argument("--out", default="build/ports", help="output directory (default build/ports)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--kernel-tree", metavar="PATH", help="apply each port to a git kernel tree")
    p.add_argument("--commit", action="store_true", help="with --kernel-tree: commit per arch")
    p.add_argument("--author", help="with --commit: 'Name <mail>' (default: git config)")
    p.set_defaults(func=cmd_port)
    for name, what in (("encode", "PGOFF"), ("decode", "PTE")):
        p = sub.add_parser(
            name,
            parents=[common],
            help="encode page offsets as file PTEs of an arch"
            if name == "encode"
            else "decode file PTEs of an arch into offset and protection",
        )
        p.add_argument("values", nargs="+", metavar=what)
        p.add_argument("--arch", required=True, metavar="NAME")
        kind = p.add_mutually_exclusive_group()
        kind.add_argument(
            "--legacy",
            action="store_const",
            const="legacy",
            dest="layout",
            help="the pre-patch 2.6.13 encoding, bit for bit",
        )
        kind.add_argument("--layout", choices=("2005", "solver"))
        if name == "encode":
            p.add_argument("--prot", default="none", help="none or letters of rwx (default none)")
        # Both options write `layout`; the parser default must not depend on their order.
        p.set_defaults(func=cmd_encode if name == "encode" else cmd_decode, layout="solver")


def cmd_port(args: argparse.Namespace) -> int:
    """Write per-arch header fragments, port patches and diagrams."""
    from toolkit.codegen.port import format_json, format_table, port, select_arches, unsolved
    from toolkit.errors import InputError

    if args.kernel_tree is None and (args.commit or args.author):
        raise InputError("--commit and --author need --kernel-tree")
    names = select_arches(tuple(args.arches), args.all, args.layout)
    if args.kernel_tree is not None:
        from toolkit.codegen.kernel import format_ports, port_tree

        tree = _existing(args.kernel_tree)
        done = port_tree(tree, names, args.layout, commit=args.commit, author=args.author)
        print(format_ports(done))
        return EXIT_OK
    results = port(names, args.layout, Path(args.out))
    skipped = unsolved() if args.all and args.layout == "solver" else ()
    render = format_json if args.format == "json" else format_table
    print(render(results, skipped))
    return EXIT_OK


def cmd_encode(args: argparse.Namespace) -> int:
    """Print the file PTE of each page offset."""
    from toolkit.codegen.values import encode_lines

    print(encode_lines(args.arch, args.layout, args.prot, tuple(args.values)))
    return EXIT_OK


def cmd_decode(args: argparse.Namespace) -> int:
    """Print the offset and protection held in each PTE."""
    from toolkit.codegen.values import decode_lines

    print(decode_lines(args.arch, args.layout, tuple(args.values)))
    return EXIT_OK


# -- verify ----------------------------------------------------------------


def _add_verify(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser("verify", parents=[common], help="prove every encoding round-trips")
    p.add_argument("arches", nargs="*", metavar="ARCH")
    p.add_argument("--all", action="store_true", help="every arch in archs/ (the default)")
    p.add_argument(
        "--layout",
        action="append",
        choices=("legacy", "2005", "solver"),
        help="only this layout (repeatable; default all three)",
    )
    p.add_argument(
        "--exhaustive",
        action="store_true",
        help="also enumerate every offset and kept prot (encodings of at most 32 offset bits)",
    )
    p.add_argument("--no-c", action="store_true", help="skip compiling the macros with gcc")
    others = p.add_mutually_exclusive_group()
    others.add_argument(
        "--series", metavar="PATH", help="check the file-PTE macros a series leaves"
    )
    others.add_argument(
        "--headers", metavar="DIR", help="check the macros of a kernel include tree"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--strict", action="store_true", help="exit 1 on findings in legacy or third-party code"
    )
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """Prove and test the file-PTE encodings."""
    from toolkit.verify.progress import progress_bars
    from toolkit.verify.render import format_json, format_table
    from toolkit.verify.run import exit_status, select, verify_arches

    names = select(tuple(args.arches), args.all)
    with progress_bars() as bars:
        if args.series or args.headers:
            from toolkit.verify.thirdparty import verify_headers, verify_series

            if args.series:
                reports = verify_series(_existing(args.series), names, args.exhaustive)
            else:
                reports = verify_headers(_existing(args.headers), names, args.exhaustive)
            skipped: tuple[str, ...] = ()
        else:
            kinds = tuple(args.layout or ("legacy", "2005", "solver"))
            reports, skipped = verify_arches(
                names,
                kinds,
                compiled=not args.no_c,
                exhaustive=args.exhaustive,
                progress=bars if args.exhaustive else None,
            )
    render = format_json if args.format == "json" else format_table
    print(render(reports, skipped))
    return exit_status(reports, args.strict)


# -- model -----------------------------------------------------------------


def _add_model(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parent) -> None:
    p = sub.add_parser("model", parents=[common], help="run scenarios on the reference VM model")
    actions = p.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run", parents=[common], help="run scenario files (the bundled suite when none is given)"
    )
    run.add_argument("files", nargs="*", metavar="FILE", help="scenario .toml files or directories")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--arch", default="i386", help="the arch of archs/ to model (i386)")
    where.add_argument("--all-arches", action="store_true", help="every arch of archs/")
    run.add_argument(
        "--patches",
        default="all",
        metavar="SPEC",
        help='patches applied: "all" (01-16, with 11), "1-10", "all,-11,+17,+18"',
    )
    run.add_argument("--emulate", action="store_true", help="the emulation model instead")
    run.add_argument(
        "--layout",
        choices=("solver", "2005"),
        default="solver",
        help="patch 01's file PTEs: the toolkit's solver port, or the 2005 hand port",
    )
    run.add_argument("--format", choices=("text", "json"), default="text")
    bisect = actions.add_parser(
        "bisect", parents=[common], help="name the first patch that makes a scenario pass"
    )
    bisect.add_argument("file", metavar="FILE")
    bisect.add_argument("--arch", default="i386")
    bisect.add_argument("--patches", default="all", metavar="SPEC")
    diff = actions.add_parser(
        "diff-kernel", parents=[common], help="compare the emulation model with this kernel"
    )
    diff.add_argument("files", nargs="*", metavar="FILE", help="scenario files (default: suite)")
    chosen = diff.add_mutually_exclusive_group()
    chosen.add_argument("--random", type=int, metavar="N", help="N random scenarios instead")
    chosen.add_argument("--uml", type=int, metavar="PAGES", help="UML's pattern on PAGES pages")
    diff.add_argument("--seed", type=int, default=0, help="seed of --random (0)")
    diff.add_argument(
        "--repro",
        default="diff-kernel-repro.toml",
        metavar="FILE",
        help="where the shrunk reproducer of a divergence goes (diff-kernel-repro.toml)",
    )
    diff.add_argument("--verbose", "-v", action="store_true", help="one line per scenario")
    p.set_defaults(func=cmd_model)


def cmd_model(args: argparse.Namespace) -> int:
    """Run scenarios on the model, bisect the series, compare with the kernel."""
    if args.model_command == "diff-kernel":
        from toolkit.kernel.command import diff_kernel

        text, agreed = diff_kernel(
            args.files, args.random, args.seed, args.uml, Path(args.repro), args.verbose
        )
        print(text)
        return EXIT_OK if agreed else EXIT_FINDINGS
    if args.model_command == "bisect":
        from toolkit.scenario.bisect import bisect_file
        from toolkit.scenario.render import render_bisect

        found = bisect_file(_existing(args.file), args.arch, args.patches)
        print(render_bisect(found))
        return EXIT_OK if found.first_pass is not None else EXIT_FINDINGS
    from toolkit.scenario.files import run_files
    from toolkit.scenario.render import render_runs

    arches = None if args.all_arches else [args.arch]
    results = run_files(args.files, arches, args.patches, args.emulate, layout=args.layout)
    print(render_runs(results, args.format))
    # Runs set apart by a declared arch limit or as not portable are reported, not failures.
    return EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK


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
    if debug:
        # imported here: the --stat path is timed against diffstat, start-up included
        import logging

        logging.basicConfig(level=logging.DEBUG, format="rfp: %(levelname)s: %(message)s")
    func: Command = args.func
    try:
        return func(args)
    except ToolkitError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        print(f"rfp: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rfp: interrupted", file=sys.stderr)
        return 130
