"""Krippendorff's alpha (nominal) over a unit,rater,value CSV, vectorised with pandas and numpy: the yardstick for
`portal agreement` (scripts/bench-agreement.sh). Prints the same fields as the portal does.
"""
import json
import sys

import numpy as np
import pandas as pd

df = pd.read_csv(sys.argv[1], usecols=["unit", "rater", "value"], dtype={"unit": "category", "rater": "category", "value": "float64"})
unit_codes = df["unit"].cat.codes.to_numpy()
values, value_codes = np.unique(df["value"].to_numpy(), return_inverse=True)
units = len(df["unit"].cat.categories)
counts = np.bincount(unit_codes.astype(np.int64) * len(values) + value_codes, minlength=units * len(values)).reshape(units, len(values)).astype(np.float64)
m = counts.sum(axis=1)
counts = counts[m >= 2]
m = m[m >= 2]
weighted = counts / (m - 1)[:, None]
o = weighted.T @ counts - np.diag(weighted.sum(axis=0))
n_c = o.sum(axis=1)
n = n_c.sum()
disagree_o = o.sum() - np.trace(o)
disagree_e = (n_c.sum() ** 2 - (n_c ** 2).sum()) / (n - 1)
print(json.dumps({"metric": "krippendorff", "value": 1 - disagree_o / disagree_e, "units": int(len(m)), "ratings": int(m.sum())}))
