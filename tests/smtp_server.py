#!/usr/bin/python3
"""smtp_server.py - a small SMTP server for opsreport's delivery tests.

Built on aiosmtpd (Debian: python3-aiosmtpd), run with /usr/bin/python3.
It listens on a loopback port (0 = let the kernel pick a free one), prints
"PORT <n>" on stdout once it accepts connections, and stops on SIGTERM,
SIGINT or after --timeout seconds.

Every accepted message is stored as one file in the Maildir DIR/new/ (like
aiosmtpd.handlers.Mailbox) with the exact bytes the client sent after DATA,
preceded by two lines "X-MailFrom:" and "X-RcptTo:" with the envelope, so a
test can compare the body with a dry-run .eml byte for byte.

Every MAIL and RCPT command and its answer is appended as one JSON line to
DIR/events.jsonl, so a test can count attempts from the server's side.

Failure modes, chosen by flags:
  --reject ADDR      answer "550 5.1.1 <ADDR>: recipient rejected" to RCPT
                     TO:<ADDR> (repeatable; permanent failure)
  --transient N      answer "451 4.7.1 try again later" to every RCPT of the
                     first N mail transactions (greylisting; transient)
  --auth-user U --auth-password P
                     require AUTH (PLAIN/LOGIN) with these credentials; allowed
                     without TLS because the server only listens on loopback
  --leaky-auth       misbehave: echo a wrong password in the 535 reply, so a
                     test can check that the client redacts it
"""
import argparse
import warnings
import asyncio
import json
import logging
import mailbox
import os
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        # Maildir(create=True) makes tmp/new/cur only if DIR itself is new.
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(args.dir, sub), exist_ok=True)
        self.mailbox = mailbox.Maildir(args.dir, create=False)
        self.events = os.path.join(args.dir, "events.jsonl")
        self.reject = {a.lower() for a in args.reject}
        self.transient_left = args.transient
        self.defer_this = False

    def log(self, **event):
        with open(self.events, "a", encoding="utf-8") as f:
            f.write(json.dumps(event, sort_keys=True) + "\n")

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # One MAIL command starts one transaction (one client attempt).
        self.defer_this = self.transient_left > 0
        if self.defer_this:
            self.transient_left -= 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        self.log(cmd="MAIL", addr=address, reply=250)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.defer_this:
            self.log(cmd="RCPT", addr=address, reply=451)
            return "451 4.7.1 try again later"
        if address.lower() in self.reject:
            self.log(cmd="RCPT", addr=address, reply=550)
            return f"550 5.1.1 <{address}>: recipient rejected"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        self.log(cmd="RCPT", addr=address, reply=250)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        head = (f"X-MailFrom: {envelope.mail_from}\r\n"
                f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        self.mailbox.add(head + envelope.content)
        self.log(cmd="DATA", addr=",".join(envelope.rcpt_tos), reply=250)
        return "250 2.0.0 Message accepted for delivery"


def make_authenticator(user, password, leaky):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        # handled=False: let aiosmtpd send "535 5.7.8 ... invalid" on failure
        # (with handled=True it would wait for us to answer, and hang).
        message = None
        if not ok and leaky and isinstance(auth_data, LoginPassword):
            # A badly behaved server that echoes the password it was given.
            message = ("535 5.7.8 bad credentials: "
                       + auth_data.password.decode("utf-8", "replace"))
        return AuthResult(success=ok, handled=False, message=message)
    return authenticate


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = Handler(args)
    kwargs = {"hostname": "opsreport-test", "timeout": 30}
    if args.auth_user is not None:
        kwargs.update(auth_required=True, auth_require_tls=False,
                      authenticator=make_authenticator(args.auth_user,
                                                       args.auth_password or "",
                                                       args.leaky_auth))
    server = await loop.create_server(lambda: SMTP(handler, loop=loop, **kwargs),
                                      host=args.host, port=args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
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
    # AUTH without TLS is deliberate here (loopback only): silence the warning.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", required=True, help="Maildir to store messages in")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--transient", type=int, default=0)
    p.add_argument("--auth-user")
    p.add_argument("--auth-password")
    p.add_argument("--leaky-auth", action="store_true",
                   help="echo a wrong password in the 535 reply (tests redaction)")
    args = p.parse_args()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        p.error("this test server listens on loopback only")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
