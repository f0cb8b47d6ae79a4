"""A model of one user's collection and playlists, and a state machine that holds the server to it.

Random sequences of steps — adding and deleting collection tracks (valid, random and over-limit
batches), creating, renaming, filling, emptying, reordering and deleting playlists (valid moves,
moves naming tracks not in the playlist, moves mixed with adds, over-limit updates), using a
deleted playlist, requests without valid credentials, attempts on the second user's playlist —
and after every step the answer is judged by the catalogue's rules and, when the target can be
browsed, the state read back must be the model's. Runs and steps per run come from
``--conformance-level``; runs are derandomized, so the same command repeats them.

A failure shows the minimal sequence of steps Hypothesis found, and a Python script that replays
its requests (tokens from $GROOVE_USER_TOKEN and friends).
"""

from __future__ import annotations

import pytest

from conformance.fuzz.stateful.machine import MACHINE_TRACKS, REQUIREMENTS, MachineEnv, run_machine


@pytest.mark.requirement(*REQUIREMENTS)
def test_collection_state_machine(request, client, verify, created, catalog, capabilities, profile, effort):
    try:
        other = request.getfixturevalue("other_client")
    except pytest.skip.Exception:
        other = None  # without a second user the isolation steps are left out
    env = MachineEnv(
        client=client,
        other=other,
        verify=verify,
        registry=created,
        capabilities=capabilities,
        profile=profile,
        effort=effort,
        tracks=catalog.take(min(MACHINE_TRACKS, len(catalog))),
        foreign_tracks=catalog.take(min(2, len(catalog))),
    )
    run_machine(env)
