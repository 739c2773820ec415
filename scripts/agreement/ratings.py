"""Writes a unit,rater,value CSV for the agreement benchmark: N ratings, three per unit, by 300 raters, on a 1-7 scale
with ratings near each unit's true value (seeded, so every run writes the same file).

    python3 ratings.py 1000000 ratings.csv
"""
import sys

import numpy as np

rng = np.random.default_rng(7)
count, path = int(sys.argv[1]), sys.argv[2]
units = -(-count // 3)
unit = np.repeat(np.arange(units), 3)[:count]
rater = ((rng.integers(0, 300, units)[:, None] + np.array([0, 101, 202])[None, :]) % 300).ravel()[:count]
value = np.clip(np.repeat(rng.integers(1, 8, units), 3) + rng.integers(-1, 2, units * 3), 1, 7)[:count]
with open(path, "w") as out:
    out.write("unit,rater,value\n")
    for start in range(0, len(unit), 100_000):
        rows = zip(unit[start:start + 100_000], rater[start:start + 100_000], value[start:start + 100_000])
        out.write("".join(f"u{u},r{r},{v}\n" for u, r, v in rows))
