"""Subcommands served by the engine alone (no TensorFlow): generate, eval, info, bench."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    pass
