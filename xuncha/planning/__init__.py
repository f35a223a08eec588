"""Recusal checks and inspection planning 回避审查与巡察统筹.

- :mod:`.policy` — the recusal policy as data (YAML), ground codes;
- :mod:`.kinship` — kinship degrees derived from the relations ledger;
- :mod:`.index` — look-up tables over the graph, built once;
- :mod:`.conflicts` — conflicts with evidence, pairwise and per round/plan;
- :mod:`.affinity` — the built-in team × unit score;
- :mod:`.solver` — exact assignment (Hungarian / HiGHS MILP) and diagnosis;
- :mod:`.plan` — unit, rotation (推磨式) and joint (上下联动) planning;
- :mod:`.explain` — why a team was or was not put on a unit.
"""
