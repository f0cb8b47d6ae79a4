"""Fuzzing (hand-written code, named for the technique): schemathesis over ``openapi.yaml`` and a
model-based state machine, the support code of the suite's two generated test files.

The hand-written scenarios of ``conformance/suite`` check what their authors thought of; the two
generated test files (``test_generated_contract.py`` and ``test_state_machine.py``) look for the
rest, through the same plugin options, the same client and the same ``verify`` records. This
package holds what they share:

* :mod:`.hypothesis_settings` — Hypothesis settings per ``--conformance-level`` (derandomized: a run repeats);
* :mod:`.pool` and :mod:`.rewrite` — the IDs a generated request may name: the run's catalog and
  what the run itself created, or random GUIDs that name nothing (never data the run did not make);
* :mod:`.oracle` — what the documents (and the errata positions) say the answer to one request must
  be, so that correct answers of a faithful server are never reported (E07b, E09, E10, ...);
* :mod:`.transport` — a schemathesis case sent through the project's client, and its answer in the form
  schemathesis' checks read;
* :mod:`.checks` — the custom checks (registered once with ``@schemathesis.check``) and the
  requirement each built-in check is judged under;
* :mod:`.findings` — checks gathered into ``verify`` records, the blocking failure raised so that
  Hypothesis shrinks it;
* :mod:`.replay` — a failing sequence rendered as a Python script that replays it;
* :mod:`.stateful` — one user's collection and playlists as a model (:mod:`.stateful.model`), and
  the ``RuleBasedStateMachine`` that compares the server with it after every step
  (:mod:`.stateful.machine`).

Generated request bodies are JSON only: the DataContract XML of the API is not what schemathesis
writes for ``application/xml``, and the XML dialect is exercised by the scenario files.
"""
