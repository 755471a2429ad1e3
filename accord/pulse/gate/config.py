"""What the gate's rules are run with, passed in explicitly: a round's protection reads its
configuration from the round's cache (core.round_cache), never from module globals."""

from __future__ import annotations

from dataclasses import dataclass

# Which groups to hide first when an atom is too small (rule 2b). False: the smallest group, whatever
# it is, as the issue describes. True: sliced groups (tenure band, region) before any whole team or the
# whole organisation, smallest first within each kind. On a synthetic organisation of 12,000 teams and
# 70,000 respondents, False keeps the 6 organisation-wide slices but only ~230 of 9,570 teams with 5 or
# more respondents; True keeps ~8,000 of those teams and no organisation-wide slice. Both are safe.
SLICES_FIRST = True

# Change whenever the protection rules change: saved protection and published results carry it, and
# anything stored under another version is stale (published again by the republish task).
RULES = "2027-01/categories,rounded,across-rounds-cuts,all-rounds-adds"


@dataclass(frozen=True)
class GateConfig:
    slices_first: bool = SLICES_FIRST

    @property
    def rule_version(self) -> str:
        return f"{RULES}/slices-first={self.slices_first}"


DEFAULT = GateConfig()
RULE_VERSION = DEFAULT.rule_version
