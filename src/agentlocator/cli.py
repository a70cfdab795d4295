"""The `agentlocator` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from agentlocator.settings import Settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from agentlocator.app import create_app

    uvicorn.run(create_app(Settings()), host=args.host, port=args.port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentlocator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the HTTP and WebSocket endpoints")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
