"""Identity: one person, one node, across the ledgers of many offices.

Modules, each with its invariants in its docstring (nomenklatura style):

- :mod:`.idnumber` — 身份证号 (GB 11643): checksum, birth date, gender;
- :mod:`.names` — name keys: simplified form, pinyin, 某 masks;
- :mod:`.records` — the comparable view of a cadre or unit node;
- :mod:`.match` — blocking and the Fellegi–Sunter scorer (``xuncha match``);
- :mod:`.judgements` — the plain-text judgements file (``xuncha judge``);
- :mod:`.merge` — union-find over judgements, applied when the graph is built;
- :mod:`.warnings` — same-身份证号 / same-name-and-birth warnings at load.
"""
