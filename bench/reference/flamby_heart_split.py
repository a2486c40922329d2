"""FLamby Fed-Heart-Disease's fixed per-centre train/test split, recomputed with numpy alone.

FLamby (flamby/datasets/fed_heart_disease/dataset.py) drops columns 10-12 (slope, ca, thal), drops every
row with a missing value left, and splits each centre with
sklearn.model_selection.train_test_split(train_size=0.66, test_size=0.34, random_state=43, shuffle=True,
stratify=<num > 0>) when both classes have more than 2 rows, else unstratified. scikit-learn is not
installed on the development machine, so this script re-states that call's algorithm (sklearn's
_validate_shuffle_split sizes, StratifiedShuffleSplit / ShuffleSplit with _approximate_mode) on numpy's
legacy RandomState(43), the generator sklearn's check_random_state(43) returns. It writes, per centre, the
0-based line numbers (in the processed.<centre>.data file) of the rows FLamby keeps and of its test rows.

    python3 bench/reference/flamby_heart_split.py /work/shared/data/uci-heart-disease > bench/reference/flamby-heart-split.json
"""
import json
import math
import sys

import numpy as np

CENTRES = ["cleveland", "hungarian", "switzerland", "va"]
TRAIN_FRACTION = 0.66
RANDOM_STATE = 43


def kept_rows(path):
    """Line numbers and binarised labels of the rows with no '?' in columns 0-9 and 13."""
    lines, labels = [], []
    with open(path) as f:
        for i, line in enumerate(f):
            cells = line.strip().split(",")
            if len(cells) != 14:
                continue
            used = cells[:10] + [cells[13]]
            if any(c == "?" for c in used):
                continue
            lines.append(i)
            labels.append(0 if float(cells[13]) == 0 else 1)
    return lines, np.array(labels)


def sizes(n):
    """sklearn's _validate_shuffle_split for float sizes: test = ceil, train = floor."""
    n_test = math.ceil((1.0 - TRAIN_FRACTION) * n)
    n_train = math.floor(TRAIN_FRACTION * n)
    return n_train, n_test


def approximate_mode(class_counts, n_draws, rng):
    """sklearn.utils.extmath._approximate_mode."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        values = np.sort(np.unique(remainder))[::-1]
        for value in values:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def split(y):
    """Test positions (0-based, within the kept rows) as sklearn's train_test_split draws them."""
    n = len(y)
    n_train, n_test = sizes(n)
    rng = np.random.RandomState(RANDOM_STATE)
    levels, counts = np.unique(y, return_counts=True)
    if len(levels) > 1 and all(c > 2 for c in counts):
        classes, y_indices = np.unique(y, return_inverse=True)
        class_counts = np.bincount(y_indices)
        class_indices = np.split(np.argsort(y_indices, kind="mergesort"), np.cumsum(class_counts)[:-1])
        n_i = approximate_mode(class_counts, n_train, rng)
        t_i = approximate_mode(class_counts - n_i, n_test, rng)
        train, test = [], []
        for i in range(len(classes)):
            permutation = rng.permutation(class_counts[i])
            perm = class_indices[i].take(permutation, mode="clip")
            train.extend(perm[: n_i[i]])
            test.extend(perm[n_i[i] : n_i[i] + t_i[i]])
        rng.permutation(train)
        test = rng.permutation(test)
        return sorted(int(t) for t in test), True
    permutation = rng.permutation(n)
    return sorted(int(t) for t in permutation[:n_test]), False


def main(root):
    out = {"source": "FLamby fed_heart_disease dataset.py: train_test_split(train_size=0.66, random_state=43, stratify=num>0)", "centres": {}}
    for centre in CENTRES:
        lines, y = kept_rows(f"{root}/processed.{centre}.data")
        test, stratified = split(y)
        out["centres"][centre] = {
            "kept_lines": lines,
            "test_lines": [lines[t] for t in test],
            "n_kept": len(lines),
            "n_test": len(test),
            "positives": int(y.sum()),
            "stratified": stratified,
        }
    json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
