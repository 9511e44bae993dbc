"""Light stemmers for Mongolian and Kyrgyz search terms (pure Python, no data files).

Both take a normalised word (lower-case, NFKC, ё -> е, with ө ү ң still present) and return
a non-empty lower-case stem; anything that is not a Cyrillic word is returned unchanged.
``python -m bench.morphology`` measures them against tests/data/morphology_gold.tsv.
"""

from minehub.search.morphology.ky import stem_ky
from minehub.search.morphology.mn import stem_mn

__all__ = ["stem_ky", "stem_mn"]
