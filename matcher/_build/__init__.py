"""Build tools: the scripts that make the files the package ships.

- ``python -m matcher._build.compile``: the built-in taxonomy snapshot
  (``matcher/taxonomy/data/esco-v1.1.1.zip``) from an official ESCO download;
- ``python -m matcher._build.train_transfer``: the transfer re-ranker
  (``matcher/taxonomy/data/transfer-reranker.npz``) from the O*NET-based pairs.

Nothing on the run-time import path imports this package (``tests/test_architecture.py``
checks it): matching never pays for argument parsers, scikit-learn's gradient boosting or the
training pairs. ``pytest -m artefacts`` checks that each shipped file is what its script builds.
"""
