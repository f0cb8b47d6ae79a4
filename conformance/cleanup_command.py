"""``groove-conformance cleanup``: remove what interrupted runs left on a target.

A run against a foreign target journals what it creates (``conformance.journal``); a run that
ended normally removes it all and deletes its journal. What a killed run left is listed by the
journals that remain, and this command removes it with the same
:class:`~conformance.cleanup.Registry` the run uses, rebuilt from the journal
(``Ownership.restore_leftover``): playlists and tracks by Id, pending adds settled by adding them
again (never removing a track the journal's snapshot says the user had), and the end state read
back.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from conformance.cleanup import Registry
from conformance.client import Client, ClientConfig, TransportError
from conformance.ids import key
from conformance.journal import Journal, Leftover, read_state, state_dir
from conformance.ownership import RUN_NAME_RE, browse_all, listed_keys
from conformance.profiles import get_profile


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Remove what interrupted runs left on a target: the items their journals list, "
        "and (with --sweep) playlists named conformance-<runid>-... . Tokens come from the "
        "options or from GROOVE_USER_TOKEN, GROOVE_OTHER_USER_TOKEN, GROOVE_DEVELOPER_TOKEN."
    )
    parser.add_argument(
        "--target", help="base URL of the target (default: GROOVE_TARGET, else every journal's)"
    )
    parser.add_argument(
        "--profile",
        choices=("groove-2016", "xbox-2013"),
        help="dialect (default: GROOVE_PROFILE, else the journal's)",
    )
    parser.add_argument("--user-token", help="user token (prefer GROOVE_USER_TOKEN)")
    parser.add_argument("--other-user-token", help="second user's token (prefer GROOVE_OTHER_USER_TOKEN)")
    parser.add_argument(
        "--developer-token", help="developer token, xbox-2013 (prefer GROOVE_DEVELOPER_TOKEN)"
    )
    parser.add_argument(
        "--journal",
        action="append",
        type=Path,
        default=None,
        help="journal file(s) to process (default: every journal in the state directory)",
    )
    parser.add_argument("--run", help="only this run ID (the <runid> of conformance-<runid>-...)")
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also delete playlists named conformance-<runid>-... found by browsing",
    )
    parser.add_argument(
        "--tracks",
        action="store_true",
        help="also delete unverified collection tracks (added on a target without browse)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list the journals' items the target still has (read by browse), remove nothing",
    )


def main(args: argparse.Namespace) -> int:
    env = os.environ
    tokens = {
        "user": args.user_token or env.get("GROOVE_USER_TOKEN"),
        "other": args.other_user_token or env.get("GROOVE_OTHER_USER_TOKEN"),
    }
    developer = args.developer_token or env.get("GROOVE_DEVELOPER_TOKEN")
    target = args.target or env.get("GROOVE_TARGET")
    journals = args.journal if args.journal else sorted(state_dir().glob("journal-*.jsonl"))
    leftovers: list[Leftover] = []
    snapshots: dict[Path, dict[str, set[str]]] = {}
    for path in journals:
        if not path.exists():
            print(f"groove-conformance cleanup: no journal {path}", file=sys.stderr)
            return 4
        state = read_state(path)
        leftovers.extend(state.leftovers)
        snapshots[path] = state.snapshots
    if target:
        leftovers = [x for x in leftovers if x.target.rstrip("/") == target.rstrip("/")]
    if args.run:
        leftovers = [x for x in leftovers if x.run == args.run]
    targets = sorted({x.target for x in leftovers} | ({target} if target and args.sweep else set()))
    if not targets:
        print(
            "groove-conformance cleanup: nothing to clean up (no journal lists a leftover"
            + (f" for {target}" if target else "")
            + ")"
        )
        return 0
    remaining = 0
    for tgt in targets:
        mine = [x for x in leftovers if x.target == tgt]
        profile_name = (
            args.profile or env.get("GROOVE_PROFILE") or (mine[0].profile if mine else "groove-2016")
        )
        profile = get_profile(profile_name)
        config = ClientConfig(
            base_url=tgt,
            profile=profile,
            developer_token=developer,
            secrets=tuple(t for t in (*tokens.values(), developer) if t),
        )
        clients = {user: Client(config, tok, user_label=user) for user, tok in tokens.items() if tok}
        if args.dry_run:
            try:
                remaining += _dry_run(tgt, profile.name, mine, clients)
            except TransportError as exc:
                print(f"  cannot reach {tgt}: {exc}", file=sys.stderr)
                return 1
            continue
        print(f"{tgt} ({profile.name}): {len(mine)} leftover item(s) in journals")
        for item in mine:
            _print_item(item)
        by_run: dict[tuple[str, Path], list[Leftover]] = {}
        for item in mine:
            by_run.setdefault((item.run, item.journal), []).append(item)
        try:
            for (run, path), items in by_run.items():
                registry = _restore(run, path, tgt, profile.name, items, snapshots[path], args.tracks)
                result = registry.cleanup(clients, sweep=False)
                skipped = sum(1 for x in items if x.kind == "track" and not x.verified and not args.tracks)
                print(
                    f"  run {run}: {result.line()}"
                    + (f"; {skipped} unverified track(s) kept (use --tracks)" if skipped else "")
                )
                for user, kind, item_id, why in result.left:
                    print(f"    left {kind} {item_id} ({user}): {why}")
                remaining += len(result.left) + skipped
                if not args.sweep:
                    # A create in flight when the run was killed is in no journal; its name
                    # carries this run's random ID, so sweeping for it is safe.
                    remaining += _sweep_target(clients, run)
            if args.sweep:
                remaining += _sweep_target(clients, args.run)
        except TransportError as exc:
            print(f"  cannot reach {tgt}: {exc}", file=sys.stderr)
            return 1
    return 0 if remaining == 0 else 1


def _print_item(item: Leftover, why: str = "") -> None:
    note = "pending add" if item.kind == "catalog" else ("" if item.verified else "unverified")
    notes = ", ".join(n for n in (note, why) if n)
    print(f"  {item.kind:8} {item.id}  (run {item.run}, {item.user}{', ' + notes if notes else ''})")


def _dry_run(target: str, profile: str, items: list[Leftover], clients: Mapping[str, Client]) -> int:
    """List the journals' items the target still has (browse is the truth), remove nothing.

    A journal outlives what it lists: a later run, a person or the target itself may have removed
    an item since. Those are counted, not listed. An item whose user has no credential here, or
    whose target cannot be browsed, cannot be checked, nor can a pending add that browse does not
    show under its catalog ID: those are listed, with why. Returns how many items are (or may be)
    still there.
    """
    listed: dict[tuple[str, str], set[str] | None] = {}
    present: list[tuple[Leftover, str]] = []
    gone = 0
    for item in items:
        client = clients.get(item.user)
        kind = "playlist" if item.kind == "playlist" else "track"  # a pending add shows as a track
        if client is None:
            present.append((item, "not checked: no credential for this user"))
            continue
        if (item.user, kind) not in listed:
            listed[(item.user, kind)] = listed_keys(client, kind)
        keys = listed[(item.user, kind)]
        if keys is None:
            present.append((item, "not checked: the target has no usable browse endpoint"))
        elif key(item.id) in keys:
            present.append((item, ""))
        elif item.kind == "catalog":
            # The add may have created a track under an Id browse does not tie to this catalog
            # ID: only adding it again tells (what cleanup does), so it stays listed.
            present.append((item, "browse cannot tell whether it was added"))
        else:
            gone += 1
    print(
        f"{target} ({profile}): {len(items)} item(s) in journals; {len(present)} still on the target"
        f"{' (or not checkable)' if any(why for _, why in present) else ''}, {gone} already gone"
    )
    for item, why in present:
        _print_item(item, why)
    return len(present)


def _sweep_target(clients: Mapping[str, Client], run: str | None) -> int:
    """Delete playlists whose names carry a run prefix (of ``run`` only, when given)."""
    left = 0
    for user, client in clients.items():
        items = browse_all(client, "playlists")
        if items is None:
            print(f"  sweep ({user}): the target has no usable browse endpoint; nothing swept")
            continue
        for item in items:
            name, pid = item.get("Name"), item.get("Id")
            m = RUN_NAME_RE.match(name) if isinstance(name, str) else None
            if not m or not isinstance(pid, str) or (run and m.group(1) != run):
                continue
            r = client.playlist_delete({"Id": pid}, guard=False)
            ok = 200 <= r.status < 300 and not r.error
            left += not ok
            print(
                f"  sweep ({user}): {'deleted' if ok else f'could not delete (HTTP {r.status})'} "
                f"{pid} {name!r}"
            )
    return left


def _restore(
    run: str,
    path: Path,
    target: str,
    profile: str,
    items: list[Leftover],
    snapshots: Mapping[str, set[str]],
    unverified_too: bool,
) -> Registry:
    """A registry holding what a journal lists, as the run's own registry held it."""
    registry = Registry(run, journal=Journal(path, target=target, profile=profile, run_id=run))
    for user, digests in snapshots.items():
        registry.restore_snapshot(user, digests)
    for item in items:
        registry.restore_leftover(item, unverified_too=unverified_too)
    return registry
