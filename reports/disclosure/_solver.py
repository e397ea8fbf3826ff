"""Complementary suppression: publish groups only while no combination isolates < k people.

Every published figure is a sum over stored cells. Any figure an attacker can compute by
adding and subtracting published figures is a sum over *atoms*: classes of cells that
belong to exactly the same published groups (the organisation total counts as known).
If every atom holds 0 or at least k people, no derivable figure is about 1..k-1 people.
The condition is sufficient, not necessary, which is the side to err on.

Method: groups that pass primary suppression (at least k) are offered one at a time in
a fixed priority order (coarse breakdowns first, larger groups first within a
breakdown). A group is published if the atoms after adding it still hold 0 or >= k
people; otherwise it is suppressed as complementary. Every prefix of the published set
satisfies the rule, and the order depends only on the wave's data, never on requests.
Offering coarse groups first keeps the figures leadership reads most and hides the
fine crossings that would fragment the atoms; hiding the smallest sibling falls out of
the size order.

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*, ch. 4 (frequency tables,
complementary suppression). Wiley.
Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
*JASA* 75(370), 377-385.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

__all__ = ["atoms_hold", "suppress", "suppress_with_atoms"]


def suppress(masks: np.ndarray, values: np.ndarray, threshold: int,
             offered: list[int]) -> np.ndarray:
    """Which of the ``offered`` groups may be published (see :func:`suppress_with_atoms`)."""
    return suppress_with_atoms(masks, values, threshold, offered)[0]


def suppress_with_atoms(masks: Any, values: np.ndarray, threshold: int,
                        offered: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Which of the ``offered`` groups may be published, taking them in the given order,
    and the atoms of the published set (a label per cell; same label, same groups).

    Parameters
    ----------
    masks : membership of cells in each group (groups x cells): a bool array or a scipy
        sparse matrix (the plan passes CSR: a wave with thousands of units has thousands
        of groups and cells, and a dense matrix would grow with their product).
    values : int array (vectors x cells); each vector (responses, answers, invitees)
        must be 0 or >= ``threshold`` on every atom.
    threshold : the k that applies.
    offered : indices of groups that passed primary suppression, in priority order.

    Notes
    -----
    Offering a group only splits the atoms it touches, each into the part inside the
    group and the part outside, so only those two parts need checking: the part inside is
    summed over the group's cells, the part outside is the atom's running total minus it.
    Each offer costs O(g log g) for a group of g cells, and a plan's cost follows the
    total size of its groups rather than groups x cells.
    """
    member = sparse.csr_array(masks, dtype=bool)
    member.sort_indices()
    values = np.asarray(values, dtype=np.int64)
    published = np.zeros(member.shape[0], dtype=bool)
    if _violates(np.zeros(member.shape[1], dtype=np.intp), values, threshold):
        return published, np.zeros(member.shape[1], dtype=np.intp)
    atoms = _Atoms(values)
    indptr, indices = member.indptr.tolist(), member.indices.tolist()
    for group in offered:
        published[group] = atoms.split(indices[indptr[group]:indptr[group + 1]], threshold)
    return published, np.unique(atoms.label, return_inverse=True)[1].reshape(-1)


class _Atoms:
    """Atom labels of the cells, each atom's cell count and totals; split in place.

    Plain Python lists: an offer touches a handful of cells, where numpy's per-call cost
    would dominate, and the total work is the summed size of the groups offered."""

    def __init__(self, values: np.ndarray) -> None:
        self.cell_values: list[list[int]] = values.T.tolist()
        self.label: list[int] = [0] * values.shape[1]
        self.count: list[int] = [values.shape[1]]
        self.sums: list[list[int]] = [values.sum(axis=1).tolist()]

    def split(self, cells: list[int], threshold: int) -> bool:
        """Split the atoms ``cells`` touch by membership in the group, if every part stays
        at 0 or >= ``threshold`` on every vector; False (and no change) otherwise."""
        label = self.label
        moved: dict[int, int] = {}
        inside: dict[int, list[int]] = {}
        for cell in cells:
            atom = label[cell]
            values = self.cell_values[cell]
            if atom in inside:
                moved[atom] += 1
                inside[atom] = [a + b for a, b in zip(inside[atom], values, strict=True)]
            else:
                moved[atom], inside[atom] = 1, list(values)
        for atom, sums in inside.items():
            for total, within in zip(self.sums[atom], sums, strict=True):
                if 0 < within < threshold or 0 < total - within < threshold:
                    return False
        fresh: dict[int, int] = {}
        for atom, sums in inside.items():
            if moved[atom] < self.count[atom]:  # an atom wholly inside keeps its label
                fresh[atom] = len(self.count)
                self.count[atom] -= moved[atom]
                self.count.append(moved[atom])
                self.sums[atom] = [t - w for t, w in zip(self.sums[atom], sums, strict=True)]
                self.sums.append(sums)
        if fresh:
            for cell in cells:
                label[cell] = fresh.get(label[cell], label[cell])
        return True


def atoms_hold(atom: np.ndarray, vector: np.ndarray, threshold: int) -> bool:
    """True when every atom holds 0 or at least ``threshold`` of ``vector``."""
    return not _violates(atom, vector[None, :], threshold)


def _violates(atom: np.ndarray, values: np.ndarray, threshold: int) -> bool:
    """True when some atom counts between 1 and threshold - 1 people on some vector."""
    size = int(atom.max(initial=-1)) + 1
    for vector in values:
        sums = np.bincount(atom, weights=vector, minlength=size)
        if ((sums > 0) & (sums < threshold)).any():
            return True
    return False
