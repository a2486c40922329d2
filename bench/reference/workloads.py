"""PyTorch reference workloads for `npm run bench:speed` (the same workloads as bench/speed-worker.ts).

  /usr/bin/python3 bench/reference/workloads.py mlp_train --intra 1 --interop 1 --reps 5
  /usr/bin/python3 bench/reference/workloads.py export_resnet18 --out /tmp/resnet18.onnx

Each workload prints one JSON line: {"name", "per_s" (median), "rates", "peak_rss_mb", "config"}.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import emit, median, require_torch, set_threads, time_reps  # noqa: E402

torch, np = require_torch()
nn = torch.nn
F = torch.nn.functional


def mlp_train(args):
    """MLP 1024-512-256-2, softmax cross-entropy, Adam(1e-3), batch 128; samples/s."""
    g = torch.Generator().manual_seed(1)
    model = nn.Sequential(nn.Linear(1024, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(torch.randn(128, 1024, generator=g), torch.randint(0, 2, (128,), generator=g)) for _ in range(4)]
    steps = args.steps or 20

    def run():
        for s in range(steps):
            x, y = batches[s % len(batches)]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            loss.item()

    return time_reps(run, steps * 128, args.reps, args.warmup, args.warmup_seconds)


def cnn_train(args):
    """Conv16-pool-conv32-pool-dense on 64x64x1, sigmoid cross-entropy, Adam(1e-3), batch 32; images/s."""
    g = torch.Generator().manual_seed(2)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 16 * 16, 1),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(torch.randn(32, 1, 64, 64, generator=g), torch.randint(0, 2, (32,), generator=g).float()) for _ in range(4)]
    steps = args.steps or 6

    def run():
        for s in range(steps):
            x, y = batches[s % len(batches)]
            opt.zero_grad(set_to_none=True)
            loss = F.binary_cross_entropy_with_logits(model(x).reshape(-1), y)
            loss.backward()
            opt.step()
            loss.item()

    return time_reps(run, steps * 32, args.reps, args.warmup, args.warmup_seconds)


class Fusion(nn.Module):
    """The demo's fusion model (src/models/fusion.ts, DEFAULT_MODEL_SPEC): CNN image encoder, tabular MLP, concat, head."""

    def __init__(self, image_size, tab_dim, filters=(8, 16, 32), image_embed=32, tab_hidden=(32, 16), head_hidden=16, image=True, tabular=True):
        super().__init__()
        self.image = image
        self.tabular = tabular
        width = 0
        if image:
            layers, c, s = [], 1, image_size
            for f in filters:
                layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
                c, s = f, s // 2
            self.img = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * s * s, image_embed), nn.ReLU())
            width += image_embed
        if tabular:
            layers, d = [], tab_dim
            for h in tab_hidden:
                layers += [nn.Linear(d, h), nn.ReLU()]
                d = h
            self.tab = nn.Sequential(*layers)
            width += d
        self.head = nn.Sequential(nn.Linear(width, head_hidden), nn.ReLU(), nn.Linear(head_hidden, 1))

    def forward(self, img, tab):
        parts = []
        if self.image:
            parts.append(self.img(img))
        if self.tabular:
            parts.append(self.tab(tab))
        return self.head(torch.cat(parts, 1) if len(parts) > 1 else parts[0]).reshape(-1)


def dihedral(batch, rng):
    """Random rotation by 90 degrees and/or flip per image (NCHW, square), as src/train/augment.ts does."""
    out = batch.copy()
    for i in range(batch.shape[0]):
        t = int(rng.integers(8))
        img = batch[i, 0]
        if t & 4:
            img = img.T
        if t & 2:
            img = img[::-1, :]
        if t & 1:
            img = img[:, ::-1]
        out[i, 0] = img
    return out


def train_steps(model, params, kernels, opt, images, tab, labels, weights, order, batch, augment, weight_decay, rng):
    """One epoch of medtl's trainPhase step: gather, augment, weighted BCE + L2 on kernels, Adam; returns the mean loss."""
    total = 0.0
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        img = None
        if images is not None:
            block = images[idx]
            if augment:
                block = dihedral(block, rng)
            img = torch.from_numpy(np.ascontiguousarray(block))
        t = torch.from_numpy(tab[idx]) if tab is not None else None
        y = torch.from_numpy(labels[idx])
        w = torch.from_numpy(weights[idx])
        opt.zero_grad(set_to_none=True)
        loss = (F.binary_cross_entropy_with_logits(model(img, t), y, reduction="none") * w).mean()
        if weight_decay > 0 and kernels:
            loss = loss + weight_decay * sum((k * k).sum() for k in kernels)
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / len(order)


def fusion_train(args):
    """The demo's fusion model trained as medtl's trainPhase trains it (batch 32, Adam 2e-3, augment, L2 1e-4); samples/s."""
    rng = np.random.default_rng(3)
    torch.manual_seed(3)
    n, size, dim = args.samples, args.image_size, args.tab_dim
    images = rng.standard_normal((n, 1, size, size), dtype=np.float32)
    tab = rng.standard_normal((n, dim), dtype=np.float32)
    labels = (rng.random(n) < 0.4).astype(np.float32)
    pos = labels.mean()
    weights = np.where(labels == 1, 1 / (2 * pos), 1 / (2 * (1 - pos))).astype(np.float32)
    model = Fusion(size, dim)
    params = list(model.parameters())
    kernels = [p for p in params if p.dim() >= 2]
    opt = torch.optim.Adam(params, lr=2e-3)
    epochs = args.steps or 2

    def run():
        for _ in range(epochs):
            train_steps(model, params, kernels, opt, images, tab, labels, weights, rng.permutation(n), 32, True, 1e-4, rng)

    return time_reps(run, epochs * n, args.reps, args.warmup, args.warmup_seconds)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (self.down(x) if self.down is not None else x))


class ResNet18Features(nn.Module):
    """torchvision's ResNet-18 layout (written out: torchvision is not installed) up to the 512-d pooled features."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        blocks, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            blocks += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1), 1)


def resnet18():
    torch.manual_seed(4)
    model = ResNet18Features()
    # Random but non-trivial batch-norm statistics, so inference is not an identity on the BN layers.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def export_resnet18(args):
    """Writes the ResNet-18 feature extractor to ONNX (input 'input' [N,3,224,224], output 'features' [N,512])."""
    model = resnet18()
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), args.out, input_names=["input"], output_names=["features"],
                      dynamic_axes={"input": {0: "n"}, "features": {0: "n"}}, opset_version=13)
    sys.stderr.write(f"exported ResNet-18 features to {args.out}\n")
    return None


def onnx_features(args):
    """The same ResNet-18 run eagerly (inference mode), batch 32 at 224x224x3; images/s."""
    model = resnet18()
    x = torch.randn(32, 3, 224, 224, generator=torch.Generator().manual_seed(5))
    batches = args.steps or 1

    def run():
        with torch.inference_mode():
            for _ in range(batches):
                model(x).sum().item()

    return time_reps(run, batches * 32, args.reps, args.warmup, args.warmup_seconds)


WORKLOADS = {"mlp_train": mlp_train, "cnn_train": cnn_train, "fusion_train": fusion_train, "onnx_features": onnx_features, "export_resnet18": export_resnet18}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=sorted(WORKLOADS))
    p.add_argument("--intra", type=int, default=1)
    p.add_argument("--interop", type=int, default=1)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--warmup-seconds", type=float, default=0.0, help="also warm up until this many seconds have passed")
    p.add_argument("--steps", type=int, default=0, help="work per repetition (steps, epochs or batches); 0 = default")
    p.add_argument("--samples", type=int, default=256, help="fusion_train: training-set size")
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--tab-dim", type=int, default=24)
    p.add_argument("--out", default="")
    args = p.parse_args()
    set_threads(torch, args.intra, args.interop)
    rates = WORKLOADS[args.workload](args)
    if rates is None:
        return
    emit({"name": args.workload, "per_s": median(rates), "rates": rates,
          "config": {"engine": f"torch {torch.__version__}", "intra_op_threads": args.intra, "interop_threads": args.interop}})


if __name__ == "__main__":
    main()
