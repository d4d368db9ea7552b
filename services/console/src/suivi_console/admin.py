"""`suivi-admin create-merchant`: the first merchant and its owner on a fresh install; prints
the owner's TOTP provisioning URI (enrolled at once, so the first sign-in needs the code) and
recovery codes. The password comes from SUIVI_ADMIN_PASSWORD or a prompt, never argv."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

import asyncpg

from suivi_console.adapters import pg_accounts as pga
from suivi_console.bootstrap import build, utc_now
from suivi_console.domain import recovery, totp
from suivi_console.settings import ConsoleSettings


async def create_merchant(
    settings: ConsoleSettings, merchant_id: str, name: str, email: str, password: str,
    totp_secret: str | None = None, pool: asyncpg.Pool | None = None,
) -> tuple[str, list[str]]:  # fmt: skip
    """(TOTP secret, recovery codes) of the new owner; the merchant's record is published."""
    service = await build(settings.model_copy(update={"migrate_on_start": True}), pool=pool)
    service.owns_pool = pool is None
    await service.start()
    try:
        user_id = await service.context.merchants.onboard(merchant_id, name, email, password)
        secret = totp_secret or totp.new_secret()
        codes = recovery.new_codes()
        step = int(utc_now().timestamp()) // totp.STEP_SECONDS - totp.DRIFT_STEPS - 1
        async with service.pool.acquire() as conn:
            await pga.set_totp(conn, user_id, secret, step)
            await pga.replace_recovery_codes(conn, user_id, [recovery.digest(c) for c in codes])
        return secret, codes
    finally:
        await service.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-merchant", help="a merchant and its owner")
    create.add_argument("merchant_id", help="slug, e.g. atelier")
    create.add_argument("--name", required=True, help="the shop's display name")
    create.add_argument("--email", required=True, help="the owner's email")
    args = parser.parse_args(argv)
    password = os.environ.get("SUIVI_ADMIN_PASSWORD") or getpass.getpass("Owner's password: ")
    secret_env = os.environ.get("SUIVI_ADMIN_TOTP_SECRET")  # the demo's fixed secret only
    try:
        secret, codes = asyncio.run(create_merchant(
            ConsoleSettings(), args.merchant_id, args.name, args.email, password, secret_env
        ))  # fmt: skip
    except asyncpg.UniqueViolationError:
        print(f"suivi-admin: {args.merchant_id} or {args.email} exists already", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"suivi-admin: {exc}", file=sys.stderr)
        return 2
    print(report(args.merchant_id, args.email, secret, codes))
    return 0


def report(merchant_id: str, email: str, secret: str, codes: list[str]) -> str:
    lines = [
        f"merchant {merchant_id} created; owner {email}",
        f"TOTP: add to an authenticator app: {totp.provisioning_uri(secret, email)}",
        "recovery codes (each works once; keep them safe):",
        *(f"  {code}" for code in codes),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
