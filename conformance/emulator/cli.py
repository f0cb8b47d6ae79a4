"""``groove-conformance serve``: run the reference emulator in the foreground.

This is a sandbox: at startup it prints its URL and the credentials it accepts. With no
``--token`` it makes up two users (alice, bob) with fresh random tokens and prints them (and, for
xbox-2013, the developer token), so a developer can start calling it at once. Those are the
emulator's own throw-away tokens; nothing else is ever printed.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from conformance.emulator.catalog import load_catalog_file
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.faults import FAULTS
from conformance.emulator.variants import VARIANTS
from conformance.profiles import DEFAULT_PROFILE, PROFILES, XBOX_2013, get_profile


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=DEFAULT_PROFILE,
        help="dialect to speak (default %(default)s)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="SQLite database file, kept across restarts (default: a fresh temporary database)",
    )
    parser.add_argument(
        "--token",
        metavar="NAME=TOKEN",
        action="append",
        default=[],
        help="a user and its token (repeatable); default: two generated users",
    )
    parser.add_argument(
        "--developer-token",
        metavar="TOKEN",
        help="xbox-2013 developer token expected in accessToken (default: generated)",
    )
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        help="track IDs of the catalog, one per line (default: the built-in catalog)",
    )
    parser.add_argument(
        "--fault",
        choices=sorted(FAULTS),
        metavar="NAME",
        help="switch on one named deviation from the documents (see --list-faults)",
    )
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    parser.add_argument(
        "--variant",
        choices=sorted(VARIANTS),
        metavar="NAME",
        action="append",
        default=[],
        help="switch on another legitimate reading of the documents (repeatable; see --list-variants)",
    )
    parser.add_argument("--list-variants", action="store_true", help="list the variants and exit")


def _users(pairs: list[str]) -> dict[str, str]:
    users: dict[str, str] = {}
    for pair in pairs:
        name, sep, token = pair.partition("=")
        if not sep or not name or not token:
            raise ValueError(f"--token needs NAME=TOKEN, got {pair!r}")
        if name in users:
            raise ValueError(f"user {name!r} is given twice")
        users[name] = token
    return users


def _print_faults() -> None:
    width = max(len(n) for n in FAULTS)
    for fault in FAULTS.values():
        print(f"{fault.name:<{width}}  {fault.description}")
        if fault.breaks:
            print(f"{'':<{width}}  breaks: {', '.join(fault.breaks)}")


def _print_variants() -> None:
    width = max(len(n) for n in VARIANTS)
    for variant in VARIANTS.values():
        print(f"{variant.name:<{width}}  {variant.erratum or 'silence'}  {variant.description}")
        if variant.profiles != ("groove-2016", "xbox-2013"):
            print(f"{'':<{width}}  only: {', '.join(variant.profiles)}")


def main(args: argparse.Namespace) -> int:
    if args.list_faults:
        _print_faults()
        return 0
    if args.list_variants:
        _print_variants()
        return 0
    import uvicorn

    from conformance.emulator.app import build_app
    from conformance.emulator.server import bind_socket, server_url, uvicorn_config

    try:
        users = (
            _users(args.token)
            if args.token
            else {"alice": secrets.token_urlsafe(24), "bob": secrets.token_urlsafe(24)}
        )
        catalog = load_catalog_file(args.catalog) if args.catalog else None
        config = EmulatorConfig(
            profile=args.profile,
            db_path=args.db,
            users=users,
            developer_token=args.developer_token,
            catalog=catalog,
            fault=args.fault,
            variants=tuple(args.variant),
        )
        sock = bind_socket(args.host, args.port)
    except (ValueError, OSError) as exc:
        print(f"groove-conformance serve: {exc}", file=sys.stderr)
        return 2
    profile = get_profile(config.profile)
    url = server_url(args.host, sock.getsockname()[1])
    lines = [
        f"Groove emulator ({profile.name}) listening on {url}",
        f"database: {config.db_path or 'temporary (discarded at exit)'}",
    ]
    if config.fault:
        lines.append(f"FAULT ON: {config.fault} - {FAULTS[config.fault].description}")
    for name in config.variants:
        variant = VARIANTS[name]
        lines.append(f"variant on: {name} ({variant.erratum or 'silence'}) - {variant.description}")
    lines.append("users (name: token as given to --user-token):")
    lines += [f"  {name}: {token}" for name, token in config.users.items()]
    if profile.name == XBOX_2013.name:
        lines.append(f"developer token (accessToken=Bearer+...): {config.developer_token}")
    print("\n".join(lines), flush=True)
    server = uvicorn.Server(uvicorn_config(build_app(config)))
    server.run(sockets=[sock])
    return 0
