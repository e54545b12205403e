"""Thin command line: parse arguments, load config once, call a stage, turn our exceptions into one line and an exit code.

Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or configuration error. Each subcommand lives in
`pipeline.commands.<name>` with `add_parser(subparsers)`; the stage code itself never prints or exits.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pipeline import __version__

if TYPE_CHECKING:
    from pipeline.stages import Context

COMMANDS: tuple[str, ...] = (
    "validate",
    "translate",
    "models",
    "cards",
    "social",
    "build",
    "crawl",
    "serve",
    "users",
    "run",
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UserError(Exception):
    """A mistake the user can fix (bad flag value, missing file): one line on stderr, exit 2."""


def common_parent(suppress: bool = False) -> argparse.ArgumentParser:
    """Options every command accepts before or after its name.

    The subcommands' copy defaults to SUPPRESS so `pipeline --config X validate` keeps X instead of the
    subparser resetting it to None.
    """
    parent = argparse.ArgumentParser(add_help=False)
    config_default: object = argparse.SUPPRESS if suppress else None
    quiet_default: object = argparse.SUPPRESS if suppress else False
    verbose_default: object = argparse.SUPPRESS if suppress else 0
    parent.add_argument(
        "--config",
        metavar="FILE",
        default=config_default,
        help="config TOML (default: $PIPELINE_CONFIG or config/site.toml)",
    )
    parent.add_argument(
        "-q", "--quiet", action="store_true", default=quiet_default, help="only errors and the final result"
    )
    parent.add_argument(
        "-v", "--verbose", action="count", default=verbose_default, help="more logging on stderr"
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Multilingual SEO and social publishing pipeline for Markdown sites.",
        parents=[common_parent()],
    )
    parent = common_parent(suppress=True)
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"pipeline.commands.{name}")
        module.add_parser(sub, parent)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from pipeline.config import ConfigError
    from pipeline.stages import StageSkipped, StageUnavailable

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    level = logging.WARNING - 10 * min(args.verbose, 2)
    if args.quiet:
        level = logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        result: int = args.func(args)
        return result
    except ConfigError as exc:
        print(f"error: configuration {exc.source} has {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    except StageUnavailable as exc:
        print(f"pipeline {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StageSkipped as exc:
        print(f"pipeline {args.command}: skipped: {exc}", file=sys.stderr)
        return EXIT_OK
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if isinstance(exc, OSError) and exc.filename and exc.strerror:
            # A file the user pointed at or the machine refused (a folder as --output, a full disk, a read-only
            # state dir). Network errors also subclass OSError but carry no file name: those fall through.
            print(f"error: {exc.filename}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
        # A bug: one line by default, so CI logs cannot mistake it for findings (exit 1).
        if args.verbose:
            traceback.print_exc()
        print(
            f"internal error: {type(exc).__name__}: {exc} — please report it; rerun with -v for the traceback",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def load_context(
    args: argparse.Namespace,
    overrides: dict[str, Any] | None = None,
    needs_content: bool = False,
    compute: bool = False,
) -> Context:
    """Config (defaults < file < env < flags) and a lazily loading Context for a command.

    `needs_content`: a missing content folder is a configuration mistake (exit 2), not a finding (exit 1).
    `compute`: the command runs a stage whose heavy work goes where `compute.backend` says; with Ray, a missing
    install or a head that does not answer is a configuration error before anything runs (exit 2).
    """
    from pipeline.config import load_config, resolve_config_path
    from pipeline.progress import for_cli
    from pipeline.stages import Context

    path = resolve_config_path(args.config)
    config = load_config(path, overrides=overrides)
    if needs_content and not config.content_root.is_dir():
        raise UserError(
            f"content folder {config.content_root} does not exist; set site.content_dir in {config.source}"
        )
    if compute:
        from pipeline.compute import uses_ray

        if uses_ray(config):
            from pipeline.compute.cluster import preflight

            preflight(config)
    return Context(config=config, quiet=args.quiet, progress=for_cli(args.quiet))
