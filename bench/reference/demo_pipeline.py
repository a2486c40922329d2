"""PyTorch version of `medtl demo`, for the end_to_end workload of `npm run bench:speed`.

  /usr/bin/python3 bench/reference/demo_pipeline.py BUNDLE_DIR OUT_DIR [--intra 1 --interop 1]

BUNDLE_DIR is written by bench/lib/demo-export.ts: the demo's partitions after medtl has read the
cohort files and harmonised units (records + 64x64 images per partition), so both sides train and
test on the same patients. Then, as medtl does: preprocessing fitted on training data only
(window [-1000, 400] HU, 2x2 area downsampling to 32x32, standardisation; median/mean imputation,
z-scores clipped at 5, one-hot categories, missingness flags), the demo's fusion model (He-normal
kernels), class-balanced weighted cross-entropy + L2 1e-4 on kernels, Adam, dihedral augmentation,
early stopping on validation loss with the best weights (the starting weights included) restored,
and the 5 methods: transfer (freeze then unfreeze), target_only, source_only, transfer_image_only,
transfer_tabular_only, each evaluated on the target test set with AUROC and a 1000-resample
stratified bootstrap CI, accuracy, sensitivity and specificity at 0.5. Writes predictions,
metrics and model weights to OUT_DIR. Prints one JSON line (metrics, epochs trained, wall time, peak RSS).
"""
import argparse
import json
import os
import sys
import time

T0 = time.perf_counter()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import peak_rss_mb, require_torch, set_threads  # noqa: E402

torch, np = require_torch()
from workloads import Fusion, dihedral  # noqa: E402

nn = torch.nn
F = torch.nn.functional
Z_CLIP = 5.0


# ---------- preprocessing (src/preprocess/) ----------

def fit_image(images, window, size):
    px = window_resize(images, window, size)
    mean = float(px.mean(dtype=np.float64))
    sd = float(np.sqrt(max(float((px.astype(np.float64) ** 2).mean()) - mean * mean, 1e-12)))
    return {"window": window, "size": size, "mean": mean, "sd": sd}


def window_resize(images, window, size):
    """Clip to the window, then area-average down to size x size (the demo's 64 -> 32 is an integer factor)."""
    n, h, w, c = images.shape
    if h % size or w % size:
        raise ValueError(f"demo_pipeline: {h}x{w} images do not downsample to {size} by an integer factor")
    x = np.clip(images, window[0], window[1])
    fy, fx = h // size, w // size
    return x.reshape(n, size, fy, size, fx, c).mean(axis=(2, 4), dtype=np.float32)


def apply_image(state, images):
    x = (window_resize(images, state["window"], state["size"]) - state["mean"]) / state["sd"]
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2), dtype=np.float32)


def fit_tabular(records, schema):
    cols = []
    for spec in schema:
        name = spec["name"]
        vals = [r.get(name) for r in records]
        if spec["kind"] == "categorical":
            cats = sorted({str(v) for v in vals if v is not None})
            cols.append({"name": name, "kind": "categorical", "categories": cats})
            continue
        nums = np.array([float(v) for v in vals if v is not None and v != ""], dtype=np.float64)
        mean = float(nums.mean()) if len(nums) else 0.0
        var = float(nums.var(ddof=1)) if len(nums) > 1 else 0.0
        sd = float(np.sqrt(var)) if var > 1e-12 else 1.0
        fill = 0.0 if len(nums) == 0 else (mean if spec["kind"] == "binary" else float(np.median(nums)))
        cols.append({"name": name, "kind": spec["kind"], "fill": fill, "mean": mean, "sd": sd})
    return cols


def apply_tabular(cols, records):
    width = sum(len(c["categories"]) + 1 if c["kind"] == "categorical" else 2 for c in cols)
    out = np.zeros((len(records), width), dtype=np.float32)
    for i, r in enumerate(records):
        k = 0
        for c in cols:
            v = r.get(c["name"])
            if v == "":
                v = None
            if c["kind"] == "categorical":
                for cat in c["categories"]:
                    out[i, k] = 1.0 if v is not None and str(v) == cat else 0.0
                    k += 1
                out[i, k] = 1.0 if v is None else 0.0
                k += 1
            else:
                x = c["fill"] if v is None else float(v)
                out[i, k] = max(-Z_CLIP, min(Z_CLIP, (x - c["mean"]) / c["sd"]))
                out[i, k + 1] = 1.0 if v is None else 0.0
                k += 2
    return out


class Preprocessor:
    def __init__(self, part, modalities, schema, window, size):
        self.modalities = modalities
        self.image = fit_image(part["images"], window, size) if "image" in modalities else None
        self.tabular = fit_tabular(part["records"], schema) if "tabular" in modalities else None

    def transform(self, part):
        return {
            "image": apply_image(self.image, part["images"]) if self.image else None,
            "tabular": apply_tabular(self.tabular, part["records"]) if self.tabular else None,
            "labels": np.asarray(part["labels"], dtype=np.float32),
            "keys": part["keys"],
        }


# ---------- model and training (src/models/fusion.ts, src/train/loop.ts) ----------

def build_model(modalities, tab_dim, arch, image_size, seed):
    torch.manual_seed(seed)
    m = Fusion(image_size, tab_dim or 1, tuple(arch["imageFilters"]), arch["imageEmbed"], tuple(arch["tabularHidden"]), arch["headHidden"],
               image="image" in modalities, tabular="tabular" in modalities)
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
            nn.init.zeros_(mod.bias)
    nn.init.xavier_uniform_(m.head[-1].weight)
    return m


def group_params(model, groups):
    out = []
    if "image" in groups and model.image:
        out += list(model.img.parameters())
    if "tabular" in groups and model.tabular:
        out += list(model.tab.parameters())
    if "head" in groups:
        out += list(model.head.parameters())
    return out


def class_weights(labels):
    n, pos = len(labels), float(labels.sum())
    if pos == 0 or pos == n:
        return 1.0, 1.0
    return n / (2 * pos), n / (2 * (n - pos))


def batch_tensors(fs, idx, augment_rng=None):
    img = None
    if fs["image"] is not None:
        block = fs["image"][idx]
        if augment_rng is not None:
            block = dihedral(block, augment_rng)
        img = torch.from_numpy(np.ascontiguousarray(block))
    tab = torch.from_numpy(fs["tabular"][idx]) if fs["tabular"] is not None else None
    return img, tab


def eval_loss(model, fs, w_pos, w_neg):
    model.eval()
    total, n = 0.0, len(fs["labels"])
    with torch.no_grad():
        for s in range(0, n, 256):
            idx = np.arange(s, min(n, s + 256))
            img, tab = batch_tensors(fs, idx)
            y = torch.from_numpy(fs["labels"][idx])
            w = torch.where(y == 1, w_pos, w_neg)
            total += float((F.binary_cross_entropy_with_logits(model(img, tab), y, reduction="none") * w).mean()) * len(idx)
    model.train()
    return total / n


def train_phase(model, train, val, phase, groups, seed):
    params = group_params(model, groups)
    kernels = [p for p in params if p.dim() >= 2]
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    w_pos, w_neg = class_weights(train["labels"])
    opt = torch.optim.Adam(params, lr=phase["learningRate"])
    rng = np.random.default_rng(seed)
    n = len(train["labels"])
    best_loss, best_epoch, best_state = float("inf"), -1, None
    if val is not None and len(val["labels"]):
        best_loss, best_state = eval_loss(model, val, w_pos, w_neg), {k: v.clone() for k, v in model.state_dict().items()}
    epochs = 0
    model.train()
    for epoch in range(phase["epochs"]):
        order = rng.permutation(n)
        loss_sum = 0.0
        for s in range(0, n, phase["batchSize"]):
            idx = order[s:s + phase["batchSize"]]
            img, tab = batch_tensors(train, idx, rng if phase["augment"] else None)
            y = torch.from_numpy(train["labels"][idx])
            w = torch.where(y == 1, w_pos, w_neg)
            opt.zero_grad(set_to_none=True)
            loss = (F.binary_cross_entropy_with_logits(model(img, tab), y, reduction="none") * w).mean()
            if phase["weightDecay"] > 0 and kernels:
                loss = loss + phase["weightDecay"] * sum((k * k).sum() for k in kernels)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
        epochs += 1
        monitored = eval_loss(model, val, w_pos, w_neg) if val is not None and len(val["labels"]) else loss_sum / n
        if monitored < best_loss - 1e-6:
            best_loss, best_epoch, best_state = monitored, epoch, {k: v.clone() for k, v in model.state_dict().items()}
        elif epoch - best_epoch >= phase["patience"]:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    for p in model.parameters():
        p.requires_grad_(True)
    return epochs


def predict(model, fs):
    model.eval()
    out = []
    with torch.no_grad():
        n = len(fs["labels"])
        for s in range(0, n, 256):
            idx = np.arange(s, min(n, s + 256))
            img, tab = batch_tensors(fs, idx)
            out.append(torch.sigmoid(model(img, tab)).numpy())
    return np.concatenate(out)


# ---------- evaluation (src/evaluate/) ----------

def auroc(y, p):
    pos, neg = p[y == 1], p[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    allp = np.concatenate([pos, neg])[order]
    ranks = np.empty(len(allp))
    i = 0
    while i < len(allp):
        j = i
        while j + 1 < len(allp) and allp[j + 1] == allp[i]:
            j += 1
        ranks[i:j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty(len(allp))
    r[order] = ranks
    return float((r[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def evaluate(y, p, threshold, resamples, seed):
    rng = np.random.default_rng(seed)
    pi, ni = np.where(y == 1)[0], np.where(y == 0)[0]
    boots = [auroc(np.concatenate([np.ones(len(pi)), np.zeros(len(ni))]),
                   np.concatenate([p[rng.choice(pi, len(pi))], p[rng.choice(ni, len(ni))]])) for _ in range(resamples)]
    pred = p >= threshold
    tp, tn = int((pred & (y == 1)).sum()), int((~pred & (y == 0)).sum())
    return {"auroc": auroc(y, p), "aurocCI": [float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))],
            "accuracy": (tp + tn) / len(y), "sensitivity": tp / max(1, len(pi)), "specificity": tn / max(1, len(ni))}


# ---------- the five methods (src/transfer/) ----------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("out")
    ap.add_argument("--intra", type=int, default=1)
    ap.add_argument("--interop", type=int, default=1)
    args = ap.parse_args()
    set_threads(torch, args.intra, args.interop)
    bundle = json.load(open(os.path.join(args.bundle, "bundle.json")))
    cfg, schema = bundle["config"], bundle["schema"]
    parts = {}
    for name, p in bundle["partitions"].items():
        parts[name] = dict(p, images=np.load(os.path.join(args.bundle, f"{name}.images.npy")))
    window, size, seed = cfg["preprocess"]["window"], cfg["preprocess"]["imageSize"], cfg["seed"]
    plan, arch = cfg["training"], cfg["model"]
    all_groups = ("image", "tabular", "head")
    pretrained = {}
    epochs_trained = {}

    def pretrain(modalities):
        key = "+".join(sorted(modalities))
        if key not in pretrained:
            pre = Preprocessor(parts["sourceTrain"], modalities, schema, window, size)
            tr, va = pre.transform(parts["sourceTrain"]), pre.transform(parts["sourceVal"])
            tab_dim = tr["tabular"].shape[1] if tr["tabular"] is not None else 0
            model = build_model(modalities, tab_dim, arch, size, seed)
            epochs_trained[f"pretrain[{key}]"] = train_phase(model, tr, va, plan["pretrain"], all_groups, seed)
            pretrained[key] = (model, pre, tab_dim)
        return pretrained[key]

    def freeze_unfreeze(name, modalities, target):
        base, pre, tab_dim = pretrain(modalities)
        model = build_model(modalities, tab_dim, arch, size, seed)
        model.load_state_dict(base.state_dict())
        tr, va = pre.transform(target["targetTrain"]), pre.transform(target["targetVal"])
        e1 = train_phase(model, tr, va, plan["head"], ("head",), seed)
        e2 = train_phase(model, tr, va, plan["finetune"], all_groups, seed + 7)
        epochs_trained[name] = e1 + e2
        return model, pre

    def target_only(name, modalities, target):
        pre = Preprocessor(target["targetTrain"], modalities, schema, window, size)
        tr, va = pre.transform(target["targetTrain"]), pre.transform(target["targetVal"])
        tab_dim = tr["tabular"].shape[1] if tr["tabular"] is not None else 0
        model = build_model(modalities, tab_dim, arch, size, seed + 1)
        epochs_trained[name] = train_phase(model, tr, va, plan["scratch"], all_groups, seed)
        return model, pre

    def source_only(name, modalities, target):
        model, pre, _ = pretrain(modalities)
        return model, pre

    strategies = {"freeze_unfreeze": freeze_unfreeze, "target_only": target_only, "source_only": source_only}
    os.makedirs(args.out, exist_ok=True)
    results = []
    for m in cfg["methods"]:
        started = time.perf_counter()
        model, pre = strategies[m["strategy"]](m["name"], m["modalities"], parts)
        test = pre.transform(parts["targetTest"])
        scores = predict(model, test)
        ev = evaluate(test["labels"], scores, cfg["evaluation"]["threshold"], cfg["evaluation"]["bootstrapResamples"], seed)
        results.append({"method": m["name"], **ev, "seconds": time.perf_counter() - started})
        torch.save(model.state_dict(), os.path.join(args.out, f"{m['name']}.pt"))
        with open(os.path.join(args.out, f"{m['name']}.predictions.csv"), "w") as f:
            f.write("key,label,score\n")
            for k, y, s in zip(test["keys"], test["labels"], scores):
                f.write(f"{k},{int(y)},{float(s)}\n")
    # The label-budget curve (evaluation.budgetCurve), when the exported medtl config runs one.
    curve = []
    ev_cfg = cfg["evaluation"]
    if ev_cfg.get("budgetCurve"):
        names = ev_cfg.get("budgetCurveMethods")
        if names:
            curve_methods = [next(m for m in cfg["methods"] if m["name"] == n) for n in names]
        else:
            first = [next((m for m in cfg["methods"] if m["strategy"] not in ("target_only", "source_only")), None),
                     next((m for m in cfg["methods"] if m["strategy"] == "target_only"), None)]
            curve_methods = [m for m in first if m is not None]
        for point in bundle["curve"]:
            target = {}
            for split in ("targetTrain", "targetVal"):
                target[split] = dict(point[split], images=np.load(os.path.join(args.bundle, f"curve{point['budget']}.{split}.images.npy")))
            for m in curve_methods:
                model, pre = strategies[m["strategy"]](f"{m['name']}@{point['budget']}", m["modalities"], target)
                test = pre.transform(parts["targetTest"])
                ev = evaluate(test["labels"], predict(model, test), ev_cfg["threshold"], ev_cfg["bootstrapResamples"], seed)
                curve.append({"method": m["name"], "budget": point["budget"], "auroc": ev["auroc"], "aurocCI": ev["aurocCI"]})
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump({"methods": results, "budgetCurve": curve}, f)
    sys.stdout.write(json.dumps({"name": "end_to_end", "seconds": time.perf_counter() - T0, "methods": results, "budget_curve": curve, "epochs": epochs_trained,
                                "peak_rss_mb": peak_rss_mb(), "config": {"engine": f"torch {torch.__version__}", "intra_op_threads": args.intra, "interop_threads": args.interop}}) + "\n")


if __name__ == "__main__":
    main()
