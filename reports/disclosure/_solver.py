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

import numpy as np

__all__ = ["atoms_hold", "suppress", "suppress_with_atoms"]


def suppress(masks: np.ndarray, values: np.ndarray, threshold: int,
             offered: list[int]) -> np.ndarray:
    """Which of the ``offered`` groups may be published (see :func:`suppress_with_atoms`)."""
    return suppress_with_atoms(masks, values, threshold, offered)[0]


def suppress_with_atoms(masks: np.ndarray, values: np.ndarray, threshold: int,
                        offered: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Which of the ``offered`` groups may be published, taking them in the given order,
    and the atoms of the published set (a label per cell; same label, same groups).

    Parameters
    ----------
    masks : bool array (groups x cells), membership of cells in each group.
    values : int array (vectors x cells); each vector (responses, answers, invitees)
        must be 0 or >= ``threshold`` on every atom.
    threshold : the k that applies.
    offered : indices of groups that passed primary suppression, in priority order.
    """
    published = np.zeros(masks.shape[0], dtype=bool)
    atom = np.zeros(masks.shape[1], dtype=np.intp)
    if _violates(atom, values, threshold):
        return published, atom
    for group in offered:
        # Labels below 2 * cells identify the refined atoms; they are made compact (0..m-1)
        # only when the group is accepted, so a rejected group costs one bincount per vector.
        split = atom * 2 + masks[group]
        if not _violates(split, values, threshold):
            atom = np.unique(split, return_inverse=True)[1].reshape(-1)
            published[group] = True
    return published, atom


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
