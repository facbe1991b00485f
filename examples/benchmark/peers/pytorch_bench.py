#!/usr/bin/python3
"""PyTorch CPU peer of examples/benchmark: the same models, batches, modes and
thread counts, the same JSON-lines output (one object per line with model,
mode, threads, batch, images_per_sec, ...).

    /usr/bin/python3 examples/benchmark/peers/pytorch_bench.py                 # all, table
    /usr/bin/python3 examples/benchmark/peers/pytorch_bench.py --model resnet20 --mode train --threads 2 --json
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        /usr/bin/python3 examples/benchmark/peers/pytorch_bench.py --json      # glibc keeps freed memory

Models (float32, random N(0,1) inputs and uniform labels from a fixed seed):
  lenet5-modern  batch 64,  1x28x28: conv 5x5 6 (pad 2), ReLU, max-pool 2,
                 conv 5x5 16, ReLU, max-pool 2, FC 120, 84, 10
  resnet20       batch 128, 3x32x32: He et al. 2015 CIFAR ResNet-20, shortcut
                 option A (subsample, append zero channels), 269,722 parameters
  alexnet        batch 16,  3x227x227: the zoo's one-tower AlexNet (96, 256,
                 384, 384, 256 maps, LRN after pools 1 and 2, dropout 0.5,
                 FC 4096, 4096, 1000), 62,378,344 parameters
  alexnet-tv     batch 16,  3x224x224: torchvision's AlexNet layout (64, 192,
                 384, 256, 256, no LRN), 61,100,840 parameters (not in "all")

Train: forward, F.cross_entropy, backward, SGD(momentum 0.9).step().
Infer: model.eval() forward under torch.no_grad().

Each configuration runs in a child process with torch.set_num_threads(t) and
OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = t (OpenBLAS reads its thread count
when it loads; Debian's PyTorch runs its Linear layers through OpenBLAS when
libopenblas0 provides libblas.so.3).
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time

SPECS = {
    # name: (batch, classes, input CHW, steps, warmup) -- examples/benchmark's
    "lenet5-modern": (64, 10, (1, 28, 28), 40, 10),
    "resnet20": (128, 10, (3, 32, 32), 3, 2),
    "alexnet": (16, 1000, (3, 227, 227), 2, 1),
    "alexnet-tv": (16, 1000, (3, 224, 224), 2, 1),
}
ALL = ["lenet5-modern", "resnet20", "alexnet"]


def build(name, classes):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    if name == "lenet5-modern":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, classes))

    if name == "resnet20":
        class Block(nn.Module):
            def __init__(self, cin, cout, stride):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(cout)
                self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(cout)
                self.stride, self.extra = stride, cout - cin

            def forward(self, x):
                y = F.relu(self.bn1(self.conv1(x)))
                y = self.bn2(self.conv2(y))
                s = x
                if self.stride != 1 or self.extra:
                    # option A: subsample, append zero channels
                    s = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, 0, self.extra))
                return F.relu(y + s)

        class ResNet20(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(16)
                layers, cin = [], 16
                for cout, stride in ((16, 1), (32, 2), (64, 2)):
                    for i in range(3):
                        layers.append(Block(cin, cout, stride if i == 0 else 1))
                        cin = cout
                self.layers = nn.Sequential(*layers)
                self.fc = nn.Linear(64, classes)

            def forward(self, x):
                x = self.layers(F.relu(self.bn1(self.conv1(x))))
                return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

        return ResNet20()

    if name == "alexnet":
        pool = lambda: nn.MaxPool2d(3, 2)  # noqa: E731
        lrn = lambda: nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)  # noqa: E731
        return nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), pool(), lrn(),
            nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), pool(), lrn(),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), pool(), nn.Flatten(),
            nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, classes))

    if name == "alexnet-tv":
        import torchvision
        return torchvision.models.alexnet(num_classes=classes)

    raise ValueError("unknown model " + name)


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def measure(a):
    """Runs one configuration in this process and returns its result."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    batch, classes, chw, steps, warmup = SPECS[a.model]
    batch = a.batch or batch
    steps = a.steps or steps
    warmup = warmup if a.warmup < 0 else a.warmup
    t0 = time.perf_counter()
    model = build(a.model, classes)
    x = torch.randn(batch, *chw)
    y = torch.randint(0, classes, (batch,))
    if a.mode == "train":
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
            return 0.0
    build_s = time.perf_counter() - t0
    for _ in range(warmup):
        step()
    faults = minor_faults()
    times, rates, loss = [], [], 0.0
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = step()
        sec = (time.perf_counter() - t0) / steps
        times.append(sec)
        rates.append(batch / sec)
    faults = minor_faults() - faults
    med = statistics.median(times)
    return {
        "impl": "pytorch", "model": a.model, "mode": a.mode, "threads": a.threads, "batch": batch,
        "input": list(chw), "images_per_sec": batch / med, "step_ms": med * 1e3, "repeats_ips": rates,
        "steps": steps, "warmup": warmup, "alloc_bytes_per_step": None,
        "minor_faults_per_step": faults / (a.repeats * steps), "build_s": build_s, "loss": loss,
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "malloc_keeps_memory": "MALLOC_MMAP_THRESHOLD_" in os.environ,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="all", help="lenet5-modern, resnet20, alexnet, alexnet-tv, all, or a comma-separated list")
    p.add_argument("--mode", default="all", choices=["train", "infer", "all"])
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--steps", type=int, default=0, help="timed steps per repeat (0: the model's default)")
    p.add_argument("--warmup", type=int, default=-1, help="untimed steps (-1: the model's default)")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats; the median is reported")
    p.add_argument("--batch", type=int, default=0, help="batch size (0: the model's)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()

    if a.child:
        a.threads = int(a.threads)
        print(json.dumps(measure(a)), flush=True)
        return
    models = ALL if a.model == "all" else [m.strip() for m in a.model.split(",")]
    for m in models:
        if m not in SPECS:
            p.error("unknown model %r" % m)
    modes = ["train", "infer"] if a.mode == "all" else [a.mode]
    threads = [int(t) for t in a.threads.split(",")]
    row = "%-14s %-5s %7s %5s %10s %9s %11s"
    if not a.json:
        print(row % ("model", "mode", "threads", "batch", "images/s", "step ms", "faults/step"), flush=True)
    for m in models:
        for mode in modes:
            for t in threads:
                env = dict(os.environ, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t))
                cmd = [sys.executable, os.path.abspath(__file__), "--child", "--model", m, "--mode", mode,
                       "--threads", str(t), "--steps", str(a.steps), "--warmup", str(a.warmup),
                       "--repeats", str(a.repeats), "--batch", str(a.batch), "--seed", str(a.seed)]
                out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=True, text=True).stdout
                r = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
                if a.json:
                    print(json.dumps(r), flush=True)
                else:
                    print(row % (m, mode, t, r["batch"], "%.1f" % r["images_per_sec"], "%.1f" % r["step_ms"],
                                 "%.0f" % r["minor_faults_per_step"]), flush=True)


if __name__ == "__main__":
    main()
