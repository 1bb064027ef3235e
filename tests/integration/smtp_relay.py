"""A relay with the policies real ones have, on Debian's aiosmtpd: STARTTLS then AUTH required
(PLAIN/LOGIN, one account), recipients it refuses (550, a mailbox that no longer exists) or defers
(450, greylisting), a sender it refuses (553, a misconfigured relay), or a message it rejects
at the end of DATA (554, a content filter). Accepted mail is stored in a
maildir. Used by the integration tests through harness.SmtpServer(policy=...); runs until
SIGTERM and prints one line per decision ("auth PLAIN ok", "rcpt refused <addr>", ...).
"""
import argparse
import asyncio
import mailbox
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir, refuse, defer_once, reject_data, reject_sender, hang_data=False):
        self.hang_data = hang_data
        self.box = mailbox.Maildir(maildir, create=True)
        self.refuse = {a.lower() for a in refuse}
        self.defer_once = {a.lower() for a in defer_once}
        self.reject_data = reject_data
        self.reject_sender = reject_sender

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.reject_sender:
            print(f"mail from refused {address}", flush=True)
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            print(f"rcpt refused {address}", flush=True)
            return f"550-5.1.1 <{address}>: Recipient address rejected:\r\n550 5.1.1 User unknown"
        if address.lower() in self.defer_once:
            self.defer_once.discard(address.lower())
            print(f"rcpt deferred {address}", flush=True)
            return f"450 4.2.0 <{address}>: Recipient address rejected: Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_data:
            print("data: hanging", flush=True)
            await asyncio.sleep(3600)
        if self.reject_data:
            print("data rejected", flush=True)
            return "554 5.7.1 Message rejected by content filter"
        self.box.add(envelope.original_content)
        print(f"data accepted for {','.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("maildir")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS and require it")
    ap.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD_FILE"), help="require AUTH (needs --tls)")
    ap.add_argument("--refuse-rcpt", action="append", default=[], metavar="ADDR")
    ap.add_argument("--defer-rcpt-once", action="append", default=[], metavar="ADDR", help="450 the first time")
    ap.add_argument("--reject-data", action="store_true")
    ap.add_argument("--reject-sender", action="store_true", help="553 to MAIL FROM (relay misconfigured)")
    ap.add_argument("--hang-data", action="store_true", help="never answer the end of DATA")
    args = ap.parse_args()

    kwargs = {}
    if args.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*args.tls)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.auth:
        user, password_file = args.auth
        with open(password_file, "rb") as f:
            password = f.read().rstrip(b"\r\n")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
                and auth_data.password == password
            print(f"auth {mechanism} {'ok' if ok else 'refused'}", flush=True)
            return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 235 or 535

        kwargs.update(auth_required=True, auth_require_tls=True, authenticator=authenticator)

    handler = Handler(args.maildir, args.refuse_rcpt, args.defer_rcpt_once, args.reject_data, args.reject_sender,
                      args.hang_data)
    controller = Controller(handler, hostname="127.0.0.1",
                            port=args.port, **kwargs)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
