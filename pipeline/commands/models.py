"""`pipeline models`: manage offline Argos Translate packages (list, install, remove)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pipeline.cli import EXIT_OK, UserError, load_context


def add_parser(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "models",
        parents=[parent],
        help="Manage offline Argos Translate packages.",
        description="Manage offline Argos Translate packages (kept in $PIPELINE_STATE_DIR/packages).",
    )
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    msub.add_parser("list", help="list installed packages")
    inst = msub.add_parser(
        "install", help="install FROM TO from the Argos index, or --from-file F.argosmodel"
    )
    inst.add_argument("codes", nargs="*", metavar="CODE", help="FROM TO language codes")
    inst.add_argument("--from-file", metavar="F.argosmodel", help="install a downloaded package file")
    inst.add_argument("--sha256", metavar="HEX", help="expected sha256 of the package file")
    rem = msub.add_parser("remove", help="remove the FROM TO package")
    rem.add_argument("codes", nargs=2, metavar="CODE", help="FROM TO language codes")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.translate.packages import (
        PackageError,
        download_and_install,
        install_from_file,
        list_packages,
        remove_package,
    )

    action = getattr(args, "models_command", None)
    if not action:
        raise UserError(
            "say what to do: `pipeline models list | install FROM TO | install --from-file F | remove FROM TO`"
        )
    state = load_context(args).config.state_dir
    try:
        if action == "list":
            pkgs = list_packages(state)
            if not pkgs:
                print("no packages installed; `pipeline models install --from-file F.argosmodel` adds one")
            for pkg in pkgs:
                print(f"{pkg.from_code}\t{pkg.to_code}\t{pkg.version or '-'}\t{pkg.path}")
            return EXIT_OK
        if action == "install":
            if args.from_file:
                expect = (args.codes[0], args.codes[1]) if len(args.codes) == 2 else None
                if args.codes and expect is None:
                    raise UserError("with --from-file give either no codes or FROM TO")
                pkg = install_from_file(state, Path(args.from_file), sha256=args.sha256, expect=expect)
            else:
                if len(args.codes) != 2:
                    raise UserError("usage: pipeline models install FROM TO  (or --from-file F.argosmodel)")
                pkg = download_and_install(state, args.codes[0], args.codes[1])
            print(f"installed {pkg.from_code}→{pkg.to_code} {pkg.version} in {pkg.path}")
            return EXIT_OK
        pkg = remove_package(state, args.codes[0], args.codes[1])
        print(f"removed {pkg.from_code}→{pkg.to_code}")
        return EXIT_OK
    except PackageError as exc:
        raise UserError(str(exc)) from None
