#!/usr/bin/env python3
"""Generate the torchvision interop fixture for zoo/interop_test.go.

It builds torchvision.models.resnet18(num_classes=10) with seeded random
weights, gives every batch norm non-trivial affine parameters and running
statistics, and writes, in the safetensors format:

  resnet18_torchvision.safetensors  the model's state_dict, float tensors as
                                    F16, num_batches_tracked as I64 scalars
  resnet18_io.safetensors           "input" (F32, N x 3 x H x W) and "logits"
                                    (F64, N x 10): the model's eval-mode
                                    output on that input

Weights are stored as F16 to keep the fixture small (about 22 MB instead of
45 MB for F32). The reference logits are computed from exactly those F16
values (rounded in place before the forward pass, then widened), in float64,
so the only difference left for the Go side is its own float32 arithmetic.

The input is deliberately neither square nor a power of two (61 x 47): odd
sizes at several stages check the convolution and pooling output-size
arithmetic, and H != W catches transposed spatial axes.

The safetensors files are written by hand (struct + json), following the
format of huggingface/safetensors: an 8-byte little-endian header length, a
JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}
padded with spaces to a multiple of 8, then the raw little-endian data.
The weights file's metadata "state_dict_order" is the JSON list of the
state_dict's keys in torch's order (the header itself is unordered).

Usage (Debian's python3-torch and python3-torchvision, CPU builds):

  /usr/bin/python3 zoo/testdata/interop/torchvision_fixture.py [outdir]

outdir defaults to zoo/testdata/interop. The output is deterministic for a
given torch build; the committed fixture's metadata records the versions.
"""

import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision

SEED = 20240611
CLASSES = 10
INPUT_SHAPE = (2, 3, 61, 47)  # N, C, H, W
CALIBRATION_BATCHES = 4
CALIBRATION_SHAPE = (8, 3, 61, 47)

# safetensors dtype names, numpy little-endian dtypes, and the reference
# implementation's dtype order (larger first keeps every tensor aligned).
DTYPES = {
    torch.float16: ("F16", "<f2", 7),
    torch.int32: ("I32", "<i4", 9),
    torch.float32: ("F32", "<f4", 11),
    torch.float64: ("F64", "<f8", 12),
    torch.int64: ("I64", "<i8", 13),
}


def write_safetensors(path, tensors, metadata):
    """Write tensors (name -> torch.Tensor) and string metadata to path."""
    entries = []
    for name, t in tensors.items():
        st_name, np_dtype, rank = DTYPES[t.dtype]
        data = t.detach().cpu().contiguous().numpy().astype(np_dtype, copy=False).tobytes()
        entries.append((-rank, name, st_name, list(t.shape), data))
    entries.sort()  # dtype rank descending, then name: as the Rust crate does
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    offset = 0
    for _, name, st_name, shape, data in entries:
        header[name] = {"dtype": st_name, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for *_, data in entries:
            f.write(data)
    os.replace(tmp, path)


def batch_norms(model):
    return [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("zoo", "testdata", "interop")
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(min(2, torch.get_num_threads()))

    model = torchvision.models.resnet18(num_classes=CLASSES)  # random weights

    # torchvision initialises batch norms to weight 1, bias 0: make them
    # non-trivial so a swapped weight/bias or mean/var shows in the logits.
    with torch.no_grad():
        for bn in batch_norms(model):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)

    # Running statistics: the cumulative average (momentum=None) over a few
    # random batches in train mode, so they are what the network actually
    # sees (eval activations stay well scaled) and num_batches_tracked is
    # non-zero; then torch's default momentum is restored.
    for bn in batch_norms(model):
        bn.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(CALIBRATION_BATCHES):
            model(torch.randn(*CALIBRATION_SHAPE))
    for bn in batch_norms(model):
        bn.momentum = 0.1
    model.eval()

    # Round every float tensor to F16 in place: the stored weights and the
    # ones the reference runs with are then the same numbers.
    state = model.state_dict()
    stored = {}
    with torch.no_grad():
        for name, t in state.items():
            if t.is_floating_point():
                h = t.to(torch.float16)
                if not torch.isfinite(h).all():
                    raise SystemExit(f"{name}: does not fit in float16")
                t.copy_(h.to(t.dtype))
                stored[name] = h
            else:
                stored[name] = t.clone()

    x = torch.randn(*INPUT_SHAPE)  # float32
    with torch.no_grad():
        logits32 = model(x)
        logits = model.double()(x.double())
    rel32 = ((logits32.double() - logits).abs().max() / logits.abs().max()).item()

    meta = {
        "format": "pt",
        "generator": "zoo/testdata/interop/torchvision_fixture.py",
        "model": f"torchvision.models.resnet18(num_classes={CLASSES})",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "seed": SEED,
    }
    write_safetensors(os.path.join(outdir, "resnet18_torchvision.safetensors"), stored,
                      dict(meta, weights="float tensors F16 (reference computed with these values)",
                           state_dict_order=json.dumps(list(stored))))
    write_safetensors(os.path.join(outdir, "resnet18_io.safetensors"), {"input": x, "logits": logits},
                      dict(meta, logits="eval mode, float64 arithmetic",
                           torch_float32_rel_error=f"{rel32:.3g}"))

    n = sum(t.numel() for t in stored.values())
    print(f"{len(stored)} tensors, {n} elements; logits range "
          f"[{logits.min().item():.4g}, {logits.max().item():.4g}]; "
          f"torch float32 vs float64 relative error {rel32:.3g}")


if __name__ == "__main__":
    main()
