"""A fast SMTP sink on loopback for the benchmark: accepts and counts messages, supports
PIPELINING, and can delay its replies to stand in for a relay on another network.

    python bench/smtp_sink.py --port 2525 [--delay-ms 20]

The delay is applied once per batch of replies (one network round trip), as a real relay
answers pipelined commands together. Recipients whose address contains "reject" are refused
(550), as a relay refuses an unknown mailbox. On SIGTERM it prints how many messages it
accepted and how many round trips (batches of replies) it answered.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import ClassVar


class SinkProtocol(asyncio.Protocol):
    counter: ClassVar[dict[str, int]] = {"messages": 0, "bytes": 0, "round_trips": 0}

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.buffer = b""
        self.in_data = False
        self.recipients = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.reply(b"220 sink ESMTP ready\r\n")

    def reply(self, data: bytes) -> None:
        assert self.transport is not None
        self.counter["round_trips"] += 1
        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, self._write, data)
        else:
            self.transport.write(data)

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies = []
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    break
                self.counter["messages"] += 1
                self.counter["bytes"] += end
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                replies.append(b"250 2.0.0 queued\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                replies.append(
                    b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n"
                )
            elif verb == b"DATA" and not self.recipients:
                replies.append(b"554 5.5.1 no valid recipients\r\n")
            elif verb == b"DATA":
                self.in_data, self.recipients = True, 0
                replies.append(b"354 go ahead\r\n")
            elif verb == b"RCPT" and b"reject" in line.lower():
                replies.append(b"550 5.1.1 no such mailbox\r\n")
            elif verb == b"RCPT":
                self.recipients += 1
                replies.append(b"250 OK\r\n")
            elif verb in (b"MAIL", b"RSET"):
                self.recipients = 0
                replies.append(b"250 OK\r\n")
            elif verb == b"QUIT":
                replies.append(b"221 bye\r\n")
            else:  # NOOP
                replies.append(b"250 OK\r\n")
        if replies:
            self.reply(b"".join(replies))


async def serve(port: int, delay: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SinkProtocol(delay), "127.0.0.1", port, backlog=256)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print("ready", flush=True)
    await stop.wait()
    server.close()
    print(
        f"accepted {SinkProtocol.counter['messages']} messages, "
        f"{SinkProtocol.counter['bytes']} bytes, "
        f"{SinkProtocol.counter['round_trips']} round trips",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.delay_ms / 1000))


if __name__ == "__main__":
    main()
