"""A real SMTP server (aiosmtpd) in the test's event loop that parses what it receives."""

from __future__ import annotations

import asyncio
import contextlib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from suivi_infra.ports import free_port


class SmtpPeer:
    """Accepts mail on 127.0.0.1:`port`; `replies` (e.g. '451 …', '550 …') answer the next DATA
    commands instead of 250. `stop()` closes the port (connections refused), `start()` reopens."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.replies: list[str] = []
        self.data_commands = 0
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.data_commands += 1
        if self.replies:
            return self.replies.pop(0)
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.raw.append(raw)
        self.envelopes.append((str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos]))
        async with self._arrived:
            self._arrived.notify_all()
        return "250 OK queued"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> Any:
            return SMTP(self, hostname="peer.test", loop=loop)

        self._server = await loop.create_server(protocol, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def wait_for(self, count: int, seconds: float = 15.0) -> list[EmailMessage]:
        async with self._arrived:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait_for(lambda: len(self.messages) >= count), seconds
                )
        return self.messages
