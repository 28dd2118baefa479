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
    b = sub.add_parser(
        "bundle", help="write a deployment bundle: .onnx, int8 variant, model card",
        description="Copy a model into FOLDER with an int8 variant (ONNX Runtime dynamic "
        "quantisation, no TensorFlow) and MODEL_CARD.md giving the bits/char of both.")
    b.add_argument("model", help="charstream .onnx file")
    b.add_argument("-o", "--output", required=True, help="bundle folder (created)")
    b.add_argument("--eval-text", help="text file to measure bits/char on (default: text sampled "
                   "from the model)")
    b.set_defaults(handler=_bundle)
    parser.set_defaults(handler=_run_tui)
    return parser


def _bundle(args: argparse.Namespace) -> int:
    from tui.bundle import write_bundle

    print(write_bundle(args.model, args.output, args.eval_text).render())
    return 0


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
