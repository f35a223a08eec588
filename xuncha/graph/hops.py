"""A compact adjacency for path searches, saved in the workspace.

A path search asks of each node only who its neighbours are (both
directions) and which kinds of edge join them.  The JSON rows of ``adj``
answer that by parsing every edge's attributes; at province scale a search
that reads a few thousand nodes spends most of its time there.  So ``save``
also writes the graph as compressed sparse rows over node *ranks*, the
position of each node id in sorted order (comparing two ranks compares the
ids: a search over ranks breaks ties exactly as one over ids), as
little-endian arrays in the table ``hops(name, data)``:

==============  =====================  ===========================================
``offsets``     int64[N + 1]           the neighbours of rank ``r`` are
                                       ``nbrs[offsets[r]:offsets[r + 1]]``
``nbrs``        int32[M]               neighbour ranks, ascending, each once (an
                                       edge either way; self-loops left out)
``codes``       uint8/16/32[M]         which edge kinds join the two: an index
                                       into ``masks``
``masks``       JSON                   ``[[edge kind, ...], ...]`` per code
``node_kind``   uint8[N]               index into ``node_kinds`` (JSON)
``rank_of_seq`` int32[N]               rank of the node stored at ``seq`` (1-based)
``seq_of_rank`` int32[N]               and back
==============  =====================  ===========================================

Reading it costs one blob per array (memory-mapped by SQLite), about 50 MB
at province scale (1 M nodes, 3.6 M edges), then nothing per node but two
array slices.  Kinds are stored by name, so changing the weights or the hub
kinds in :mod:`~xuncha.graph.schema` or :mod:`~xuncha.queries.paths` does
not make a saved workspace wrong.
"""

from __future__ import annotations

import json
from array import array

ARRAYS = ("offsets", "nbrs", "codes", "node_kind", "rank_of_seq", "seq_of_rank")


BLOCK = 2048  # nodes per block of EdgeTable's passes


class EdgeTable:
    """Every edge of a networkx MultiDiGraph as flat arrays, gathered by C-level
    iteration (no Python code per edge): what the workspace writer's counts,
    the in-edge rows and :func:`build` all need, computed once.

    Nodes are numbered by position in ``g._node`` (seq - 1); a *pair* is one
    ``(u, v)`` entry of the successor dicts (all parallel edges ``u -> v``),
    in out-edge order; an *edge* is one key of a pair.
    """

    def __init__(self, g):
        import numpy as np
        from itertools import chain, repeat

        nodes, succ = g._node, g._succ
        self.ids = ids = list(nodes)
        self.n = n = len(ids)
        #: the out-edge dict of each node, in node order
        self.succ = out = list(map(succ.__getitem__, ids))
        #: pairs per node
        self.deg = np.fromiter(map(len, out), dtype=np.int64, count=n)
        self.pairs = p = int(self.deg.sum())
        pos = dict(zip(ids, range(n)))
        # Every pass over a block of nodes before the next block: the block's
        # key and attribute dicts are still in the CPU cache for the next pass
        # (at province scale, walking all of them once per pass cost twice as much).
        tgt, nkeys, kinds, keyed = [], [], [], None
        ends = np.cumsum(self.deg).tolist()
        flat = chain.from_iterable
        for a in range(0, n, BLOCK):
            part = out[a:a + BLOCK]
            b = min(a + BLOCK, n)
            size = ends[b - 1] - (ends[a - 1] if a else 0)
            tgt.append(np.fromiter(map(pos.__getitem__, flat(part)), dtype=np.int64, count=size))
            keyed = list(flat(map(dict.values, part)))
            nkeys.append(np.fromiter(map(len, keyed), dtype=np.int64, count=size))
            kinds += map(dict.get, flat(map(dict.values, keyed)), repeat("kind"))
        del pos, keyed
        #: target node of each pair
        self.tgt = np.concatenate(tgt) if tgt else np.zeros(0, dtype=np.int64)
        #: edges per pair
        self.nkeys = np.concatenate(nkeys) if nkeys else np.zeros(0, dtype=np.int64)
        del tgt, nkeys
        #: the edge kinds in order of first appearance, and each edge's index in it
        self.kinds = list(dict.fromkeys(kinds))
        code = dict(zip(self.kinds, range(len(self.kinds))))
        self.kind = np.fromiter(map(code.__getitem__, kinds), dtype=np.int64, count=len(kinds))
        del kinds
        #: each node's attribute dict and kind, in node order
        self.attrs = list(nodes.values())
        self.kind_of = nk = list(map(dict.get, self.attrs, repeat("kind")))
        #: node kinds in order of first appearance, and each node's index in it
        self.node_kinds = list(dict.fromkeys(nk))
        code = dict(zip(self.node_kinds, range(len(self.node_kinds))))
        self.node_kind = np.fromiter(map(code.__getitem__, nk), dtype=np.int64, count=n)
        #: the source node of each pair
        self.src = np.repeat(np.arange(n, dtype=np.int64), self.deg)

    def keyed(self):
        """The key dict of each pair, in order (an iterator: at province
        scale a list of them costs more than walking them again)."""
        from itertools import chain

        return chain.from_iterable(map(dict.values, self.succ))

    def edge_counts(self) -> dict:
        """Edge kind -> number of edges, in order of first appearance."""
        import numpy as np

        c = np.bincount(self.kind, minlength=len(self.kinds))
        return dict(zip(self.kinds, c.tolist()))

    def node_counts(self) -> dict:
        """Node kind -> number of nodes, in order of first appearance."""
        import numpy as np

        c = np.bincount(self.node_kind, minlength=len(self.node_kinds))
        return dict(zip(self.node_kinds, c.tolist()))

    def edge_sources(self) -> dict:
        """Edge kind -> the set of kinds of the nodes such edges leave."""
        import numpy as np

        nn = max(len(self.node_kinds), 1)
        src_kind = np.repeat(self.node_kind[self.src], self.nkeys)
        both = np.unique(self.kind * nn + src_kind)
        out: dict = {k: set() for k in self.kinds}
        for k, nk in zip((both // nn).tolist(), (both % nn).tolist()):
            out[self.kinds[k]].add(self.node_kinds[nk])
        return out

    def pair_bits(self):
        """A uint64 per pair: bit ``i`` set when an edge of kind
        ``self.kinds[i]`` joins the pair."""
        import numpy as np

        if len(self.kinds) > 64:
            raise ValueError("more than 64 edge kinds")
        bits = np.left_shift(np.uint64(1), self.kind.astype(np.uint64))
        out = np.zeros(self.pairs, dtype=np.uint64)
        full = self.nkeys > 0
        if bits.size:
            starts = (np.cumsum(self.nkeys) - self.nkeys)[full]
            out[full] = np.bitwise_or.reduceat(bits, starts)
        return out


_UNPACKED = False  # tests: take the road for graphs too large to pack keys and codes


def build(g, table: EdgeTable | None = None) -> dict[str, bytes]:
    """The ``hops`` rows of networkx MultiDiGraph ``g`` (node order = seq
    order); ``table``: its :class:`EdgeTable`, if already made."""
    import numpy as np

    et = table if table is not None else EdgeTable(g)
    ids, n = et.ids, et.n
    bits = et.pair_bits()
    # The distinct masks of the pairs without sorting them all: a pair of one
    # edge has one bit, the rest are the few pairs of parallel edges.
    one = np.left_shift(np.uint64(1), np.arange(len(et.kinds), dtype=np.uint64))
    cand = np.union1d(one, bits[et.nkeys != 1])
    code = np.searchsorted(cand, bits)
    del bits
    keep = et.src != et.tgt  # self-loops left out
    if keep.all():  # (no copies when there are none)
        src, dst = et.src, et.tgt
    else:
        src, dst, code = et.src[keep], et.tgt[keep], code[keep]
    del keep
    order = sorted(range(n), key=ids.__getitem__)  # rank -> seq - 1
    seq_of_rank = np.asarray(order, dtype=np.int32) + 1
    del order
    rank_of_seq = np.empty(n, dtype=np.int32)
    rank_of_seq[seq_of_rank - 1] = np.arange(n, dtype=np.int32)
    # Both directions, keyed by (rank, neighbour rank): written in place into
    # one array (at province scale every temporary array is ~50 MB of fresh
    # pages for the kernel to zero).
    m = src.size
    key = np.empty(2 * m, dtype=np.int64)
    lo, hi = key[:m], key[m:]
    s, t = rank_of_seq[src], rank_of_seq[dst]
    del src, dst
    lo[:] = s
    lo *= n
    lo += t  # s * n + t
    hi[:] = t
    hi *= n
    hi += s  # t * n + s
    del lo, hi, s, t
    cb = max(1, int(cand.size).bit_length())
    if n * n << cb < 1 << 63 and not _UNPACKED:
        # Sorting values is cheaper than sorting indices and gathering: the
        # code rides in the low bits of the key.
        key <<= cb
        key[:m] |= code
        key[m:] |= code
        del code
        key.sort()
        code = key & ((1 << cb) - 1)
        key >>= cb
    else:
        code = np.concatenate((code, code))
        idx = np.argsort(key)
        key, code = key[idx], code[idx]
        del idx
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    del first
    bits = cand[code]
    del code
    masks = np.bitwise_or.reduceat(bits, starts) if key.size else bits
    merged = np.diff(np.append(starts, key.size)) > 1  # a pair joined both ways
    key = key[starts]
    del bits, starts
    frm = (key // n).astype(np.int32) if n else key.astype(np.int32)
    nbrs = (key % n).astype(np.int32) if n else key.astype(np.int32)
    del key
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(frm, minlength=n), out=offsets[1:])
    del frm
    every = np.union1d(cand, masks[merged])
    codes = np.searchsorted(every, masks)
    used = np.bincount(codes, minlength=every.size) > 0
    uniq = every[used]  # the masks that occur, ascending
    codes = (np.cumsum(used) - 1)[codes]
    codes = codes.astype(np.uint8 if uniq.size <= 256 else np.uint16 if uniq.size <= 65536 else np.uint32)
    kinds = et.kinds
    mask_kinds = [[k for i, k in enumerate(kinds) if int(m) >> i & 1] for m in uniq]
    if len(et.node_kinds) > 256:
        raise ValueError("more than 256 node kinds")
    node_kind = np.empty(n, dtype=np.uint8)
    node_kind[rank_of_seq] = et.node_kind
    le = "<"
    out = {name: np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder(le))).tobytes()
           for name, arr in (("offsets", offsets), ("nbrs", nbrs), ("codes", codes),
                             ("node_kind", node_kind), ("rank_of_seq", rank_of_seq),
                             ("seq_of_rank", seq_of_rank))}
    out["dtypes"] = json.dumps({"codes": codes.dtype.str[1:]}).encode()
    out["masks"] = json.dumps(mask_kinds, ensure_ascii=False).encode()
    out["node_kinds"] = json.dumps(et.node_kinds, ensure_ascii=False).encode()
    return out


class HopIndex:
    """The saved compact adjacency of one workspace (see the module docstring).

    Node ranks are plain ints; :meth:`rank` and :meth:`ids` convert from and
    to node ids with one indexed read each.
    """

    def __init__(self, q, damaged):
        import numpy as np

        import sqlite3

        self._q = q
        self._masks: dict = {}
        try:
            rows = dict(q("SELECT name, CAST(data AS BLOB) FROM hops").fetchall())
        except sqlite3.DatabaseError as exc:
            raise damaged(f"path index: {exc}") from None
        try:
            dt = json.loads(rows["dtypes"])
            self.masks: list[list] = json.loads(rows["masks"])
            self.node_kinds: list = json.loads(rows["node_kinds"])
            self.offsets = np.frombuffer(rows["offsets"], dtype="<i8")
            self.nbrs = np.frombuffer(rows["nbrs"], dtype="<i4")
            self.codes = np.frombuffer(rows["codes"], dtype="<" + dt["codes"])
            self.node_kind = np.frombuffer(rows["node_kind"], dtype="u1")
            self.rank_of_seq = np.frombuffer(rows["rank_of_seq"], dtype="<i4")
            self.seq_of_rank = np.frombuffer(rows["seq_of_rank"], dtype="<i4")
        except (KeyError, ValueError, TypeError) as exc:
            raise damaged(f"path index: {exc}") from None
        self.n = n = self.node_kind.size
        if not (self.offsets.size == n + 1 and self.nbrs.size == self.codes.size ==
                int(self.offsets[-1]) and self.rank_of_seq.size == self.seq_of_rank.size == n):
            raise damaged("path index: array sizes disagree")
        # Values in range, so no read can go astray (a few ms at province scale).
        off = self.offsets
        if n and not (off[0] == 0 and (off[1:] >= off[:-1]).all()
                      and (self.nbrs.size == 0 or (0 <= self.nbrs.min() and self.nbrs.max() < n))
                      and (self.codes.size == 0 or int(self.codes.max()) < len(self.masks))
                      and 0 <= self.rank_of_seq.min() and self.rank_of_seq.max() < n
                      and 1 <= self.seq_of_rank.min() and self.seq_of_rank.max() <= n
                      and int(self.node_kind.max()) < len(self.node_kinds)):
            raise damaged("path index: values out of range")

    def rank(self, nid: str) -> int | None:
        row = self._q("SELECT seq FROM node WHERE id = ?", (nid,)).fetchone()
        return None if row is None else int(self.rank_of_seq[row[0] - 1])

    def ids(self, ranks: list[int]) -> list[str]:
        seqs = [int(self.seq_of_rank[r]) for r in ranks]
        marks = ",".join("?" * len(set(seqs)))
        got = dict(self._q(f"SELECT seq, id FROM node WHERE seq IN ({marks})", tuple(set(seqs))))
        return [got[s] for s in seqs]

    def kind_mask(self, kinds, copy: bool = True) -> "object":
        """A bool array over ranks: True where the node's kind is in
        ``kinds`` (a fresh copy: the caller may change it; with
        ``copy=False`` the shared one, read-only)."""
        import numpy as np

        key = frozenset(kinds)
        got = self._masks.get(key)
        if got is None:
            codes = [i for i, k in enumerate(self.node_kinds) if k in key]
            got = self._masks[key] = np.isin(self.node_kind, np.asarray(codes, dtype=np.uint8))
            got.flags.writeable = False
        return got.copy() if copy else got

    def gather(self, frontier):
        """``(sources, neighbours)``: every neighbour of every rank in
        ``frontier`` (an int array), beside the rank it is a neighbour of."""
        src, pos = self.positions(frontier)
        return src, self.nbrs[pos]

    def positions(self, frontier):
        """``(sources, positions)``: where in ``nbrs``/``codes`` the
        neighbours of each rank of ``frontier`` are, grouped by source in
        ``frontier``'s order."""
        import numpy as np

        lo = self.offsets[frontier]
        lens = self.offsets[frontier + 1] - lo
        total = int(lens.sum())
        if not total:
            e = np.empty(0, dtype=np.int64)
            return e, e
        ends = np.cumsum(lens)
        # position k of the output reads nbrs[lo[i] + (k - start_i)]
        pos = np.arange(total, dtype=np.int64) + np.repeat(lo - (ends - lens), lens)
        return np.repeat(frontier, lens), pos
