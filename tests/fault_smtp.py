#!/usr/bin/python3
"""fault_smtp.py - a fault-injecting SMTP server for opsreport's delivery tests.

A plain asyncio SMTP server (no aiosmtpd: the faults need control over the
exact moment a reply is withheld or the connection dropped). It listens on a
loopback port only (0 = let the kernel pick one), prints "PORT <n>" on stdout
once it accepts connections, and stops on SIGTERM, SIGINT or after --timeout
seconds. Every wait is bounded: a client that goes quiet is dropped after
--idle seconds, a stall lasts at most --stall seconds.

It speaks just enough ESMTP for libcurl: EHLO/HELO, MAIL, RCPT, DATA (with
dot-unstuffing), RSET, NOOP, QUIT. It never offers STARTTLS and answers 454
if asked, so a client that requires TLS must give up before MAIL.

Faults (--fault), applied to the first --times transactions (default: all)
whose recipients include --rcpt (default: any recipient):
  drop-after-data    take the whole message up to its final ".", then close
                     the connection without a reply: the ambiguous case,
                     the message counts as received
  451-after-data     take the whole message, answer 451 (not received)
  stall-after-data   take the whole message, then send nothing until the
                     client hangs up or --stall seconds pass (received)
  stall-before-data  answer nothing to the DATA command (nothing received)
  421-at-connect     greet with 421 and close (per connection; --rcpt is
                     unknown at that point and ignored)

What the server saw goes to DIR:
  DIR/new/           one file per message received (the exact bytes after
                     DATA, dot-unstuffed), preceded by "X-MailFrom:",
                     "X-RcptTo:" and "X-Fault:" lines - so a test counts how
                     often a message reached the server, whatever the client
                     was told
  DIR/events.jsonl   one JSON line per connection, command and fault
"""
import argparse
import asyncio
import json
import os
import signal
import sys
import time

FAULTS = ("none", "drop-after-data", "451-after-data", "stall-after-data",
          "stall-before-data", "421-at-connect")


class State:
    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.events = os.path.join(self.dir, "events.jsonl")
        self.faults_left = args.times
        self.stored = 0

    def log(self, **event):
        with open(self.events, "a", encoding="utf-8") as f:
            f.write(json.dumps(event, sort_keys=True) + "\n")

    def take_fault(self, kind, rcpts):
        """True if this transaction (or connection) gets the fault."""
        if self.args.fault != kind or self.faults_left <= 0:
            return False
        if kind != "421-at-connect" and self.args.rcpt:
            if self.args.rcpt.lower() not in (r.lower() for r in rcpts):
                return False
        self.faults_left -= 1
        self.log(event="fault", fault=kind, rcpt=rcpts)
        return True

    def store(self, mail_from, rcpts, data, fault):
        head = (f"X-MailFrom: {mail_from}\r\nX-RcptTo: {', '.join(rcpts)}\r\n"
                f"X-Fault: {fault}\r\n").encode()
        self.stored += 1
        name = f"{time.time_ns()}.{os.getpid()}.{self.stored}.fault"
        tmp = os.path.join(self.dir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(head + data)
        os.rename(tmp, os.path.join(self.dir, "new", name))
        self.log(event="message", rcpt=rcpts, fault=fault)


def address(arg):
    """'FROM:<a@b> SIZE=12' -> 'a@b'."""
    start, end = arg.find("<"), arg.find(">")
    return arg[start + 1:end] if 0 <= start < end else arg.split(":", 1)[-1].strip()


async def handle(state, reader, writer):
    idle = state.args.idle

    async def send(line):
        writer.write(line.encode() + b"\r\n")
        await writer.drain()

    async def readline():
        """One line, or b'' on EOF, on an over-long line or after --idle s."""
        try:
            return await asyncio.wait_for(reader.readline(), idle)
        except (asyncio.TimeoutError, asyncio.LimitOverrunError, ValueError,
                ConnectionError):
            return b""

    async def read_data():
        """The message after 354, dot-unstuffed, up to its final "." line;
        None if the client went away first. Read in chunks, not lines: a
        line-by-line loop is too slow for a multi-megabyte attachment."""
        buf = bytearray(b"\r\n")  # so a "." on the very first line is found too
        scan = 0
        while True:
            end = buf.find(b"\r\n.\r\n", scan)
            if end >= 0:
                return bytes(buf[:end + 2]).replace(b"\r\n..", b"\r\n.")[2:]
            scan = max(0, len(buf) - 4)
            try:
                chunk = await asyncio.wait_for(reader.read(1 << 16), idle)
            except (asyncio.TimeoutError, ConnectionError):
                chunk = b""
            if not chunk:
                state.log(event="eof-in-data", bytes=len(buf) - 2)
                return None
            buf += chunk

    async def stall():
        """Says nothing until the client hangs up or --stall s pass."""
        try:
            await asyncio.wait_for(reader.read(), state.args.stall)
        except (asyncio.TimeoutError, ConnectionError):
            pass

    state.log(event="connect")
    try:
        if state.take_fault("421-at-connect", []):
            await send("421 4.3.2 opsreport-fault busy, try again later")
            return
        await send("220 opsreport-fault ESMTP")
        mail_from, rcpts = None, []
        while True:
            line = await readline()
            if not line:
                state.log(event="eof")
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                # No STARTTLS on purpose; SIZE so curl sends its SIZE= too.
                await send("250-opsreport-fault")
                await send("250-SIZE 52428800")
                await send("250 8BITMIME")
            elif verb == "HELO":
                await send("250 opsreport-fault")
            elif verb == "MAIL":
                mail_from, rcpts = address(arg), []
                state.log(cmd="MAIL", addr=mail_from, reply=250)
                await send("250 2.1.0 OK")
            elif verb == "RCPT":
                rcpts.append(address(arg))
                state.log(cmd="RCPT", addr=rcpts[-1], reply=250)
                await send("250 2.1.5 OK")
            elif verb == "DATA":
                if mail_from is None or not rcpts:
                    await send("503 5.5.1 need MAIL and RCPT first")
                    continue
                if state.take_fault("stall-before-data", rcpts):
                    state.log(cmd="DATA", addr=",".join(rcpts), reply=0)
                    await stall()
                    return
                state.log(cmd="DATA", addr=",".join(rcpts), reply=354)
                await send("354 End data with <CR><LF>.<CR><LF>")
                data = await read_data()
                if data is None:
                    return
                if state.take_fault("drop-after-data", rcpts):
                    state.store(mail_from, rcpts, data, "drop-after-data")
                    return
                if state.take_fault("451-after-data", rcpts):
                    await send("451 4.3.0 opsreport-fault: try again later")
                elif state.take_fault("stall-after-data", rcpts):
                    state.store(mail_from, rcpts, data, "stall-after-data")
                    await stall()
                    return
                else:
                    state.store(mail_from, rcpts, data, "none")
                    await send("250 2.0.0 Message accepted for delivery")
                mail_from, rcpts = None, []
            elif verb == "RSET":
                mail_from, rcpts = None, []
                await send("250 2.0.0 OK")
            elif verb == "NOOP":
                await send("250 2.0.0 OK")
            elif verb == "STARTTLS":
                state.log(cmd="STARTTLS", reply=454)
                await send("454 4.7.0 TLS not available")
            elif verb == "QUIT":
                await send("221 2.0.0 Bye")
                return
            else:
                await send("500 5.5.2 command not recognised")
    except ConnectionError:
        state.log(event="reset")
    finally:
        writer.close()


async def serve(args):
    loop = asyncio.get_running_loop()
    state = State(args)
    server = await asyncio.start_server(lambda r, w: handle(state, r, w), host=args.host,
                                        port=args.port, limit=1 << 20)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.timeout)
    except asyncio.TimeoutError:
        pass
    server.close()
    await server.wait_closed()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", required=True, help="where messages and events.jsonl go")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--timeout", type=float, default=120.0, help="lifetime in seconds")
    p.add_argument("--idle", type=float, default=30.0, help="drop a silent client after S s")
    p.add_argument("--stall", type=float, default=30.0, help="longest stall in seconds")
    p.add_argument("--fault", choices=FAULTS, default="none")
    p.add_argument("--times", type=int, default=1 << 30,
                   help="apply the fault to this many transactions (default: all)")
    p.add_argument("--rcpt", help="apply the fault only to transactions to this address")
    args = p.parse_args()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        p.error("this test server listens on loopback only")
    if not (0 < args.timeout <= 600 and 0 < args.idle <= 120 and 0 < args.stall <= 120):
        p.error("--timeout, --idle and --stall must be positive and bounded")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
