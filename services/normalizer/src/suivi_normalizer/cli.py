"""`suivi-normalize --provider SLUG FILE`: a webhook body in, its canonical events out (JSON lines).

Same adapters and serialization as the service on Kafka; FILE `-` reads standard input.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from suivi_normalizer.adapters import PROVIDER_MODULES, AdapterError
from suivi_normalizer.domain.envelope import envelope_for
from suivi_normalizer.domain.normalize import normalize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-normalize", description=__doc__)
    parser.add_argument("--provider", required=True, choices=sorted(PROVIDER_MODULES))
    parser.add_argument("file", help="the body exactly as the provider POSTs it, or - for stdin")
    args = parser.parse_args(argv)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"suivi-normalize: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        body = data.decode("utf-8")
        events = normalize(envelope_for(args.provider, body, datetime.now(UTC)))
    except UnicodeDecodeError as exc:
        print(f"suivi-normalize: body is not UTF-8 (byte {exc.start})", file=sys.stderr)
        return 1
    except AdapterError as exc:
        print(f"suivi-normalize: invalid {args.provider} payload: {exc}", file=sys.stderr)
        return 1
    out = sys.stdout
    for event in events:
        out.write(event.model_dump_json())
        out.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
