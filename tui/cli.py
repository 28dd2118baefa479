"""`charstream`: the TUI by default, plus subcommands. Heavy imports happen inside handlers."""
from __future__ import annotations

import argparse
import os
import sys


def build_parser() -> argparse.ArgumentParser:
    from engine import cli as engine_cli
    from export import cli as export_cli

    parser = argparse.ArgumentParser(
        prog="charstream",
        description="Character-level LSTM text generation. With no subcommand, opens the "
        "chat-style terminal UI on the bundled model.")
    parser.add_argument("--model", help="ONNX model for the UI (default: the bundled model)")
    parser.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto",
                        help="execution provider for the UI (auto: CUDA if it works, else CPU)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    engine_cli.register(sub)
    export_cli.register(sub)
    parser.set_defaults(handler=_run_tui)
    return parser


def _run_tui(args: argparse.Namespace) -> int:
    from tui.app.main import run_app

    return run_app(model=args.model, device=args.device)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = build_parser()
    args = parser.parse_args(argv)
    from engine.errors import EngineError
    from export.errors import UserError

    try:
        return int(args.handler(args) or 0)
    except (UserError, EngineError) as exc:
        print(f"charstream: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("charstream: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
