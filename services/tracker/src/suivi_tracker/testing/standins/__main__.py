"""`python -m suivi_tracker.testing.standins --port N`: every external API's stand-in."""

from __future__ import annotations

import argparse

import uvicorn

from suivi_tracker.testing.standins.app import Credentials, build


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--speed", type=float, default=1.0, help="stand-in seconds per second")
    parser.add_argument(
        "--journey-seconds",
        type=float,
        default=2 * 86400,
        help="length of the default journey (label → delivered), in stand-in seconds",
    )
    args = parser.parse_args(argv)
    app, _ = build(Credentials.from_env(), speed=args.speed, journey_seconds=args.journey_seconds)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
