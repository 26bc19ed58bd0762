"""Union-find over hashable keys: channels that must share a property.

Used for fixed-point scale groups (emit.hls) and lanes groups
(stream-parallelize). Roots depend only on the order of unions, so group
numbering is deterministic.
"""

from __future__ import annotations


class UnionFind:
    """Disjoint sets with path halving; any hashable key joins on first use."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, key):
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
