"""The model-based state machine behind ``conformance/suite/test_state_machine.py``.

* :mod:`.model` — one user's collection and playlists as the documents say they evolve;
* :mod:`.machine` — the ``RuleBasedStateMachine`` that compares the server with the model after
  every step, bound to one run's clients and records by :func:`.machine.bind`.
"""
