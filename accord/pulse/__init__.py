"""Pulse surveys: short recurring surveys whose results leave only through the anonymity gate.

A map of the package, by what happens to a round:

- Setting up: `programs.py` (the anonymity setting, the question bank, programs, opening a round and
  timing its prompts), `bank.py` (the built-in questions and themes), `attributes.py` (tenure band and
  region of a person), `jobs.py` (the scheduler opens and closes rounds, sends prompts), `tasks.py`.
- Answering: `answering.py` (checking one person's answers, the mixing pool, mixing answer sets into
  the anonymous tables and the sealed tally, anonymous comment threads), `sealing.py` (encryption at
  rest), `tally.py` (a round's sealed running totals), `forms.py`; threat model at the top of `models.py`.
- Publishing: `publishing.py` (closing a round stores the gate's protection and every heatmap row once;
  stale results are published again by the `republish_round` task or `accord republish`, never by a
  request), `management/commands/republish.py`.
- The gate: `gate/` (the anonymity rules, in plain words at the top of `gate/__init__.py`: every number
  shown anywhere comes out of it), with `data.py` (RoundData, what it reads) and `stats.py`.
- Reading results: `queries.py` (reads with rules: round_data, published rows, who may see what),
  `results/` (the results pages `views.py`, JSON API `api.py`, `reports.py` shaping the gate's results
  for both, `heatmaps.py`, `trends.py`, `urls.py`).
- Pages and API for answering and admin: `views.py`, `api.py`, `urls.py`.
- `actions.py` names every write of the three modules above, for callers that want one module.
"""
