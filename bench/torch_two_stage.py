#!/usr/bin/env python3
"""PyTorch peers of detkit's two-stage bench workloads (faster-rcnn-r18-train-512, mask-rcnn-r18-train-512).

Same interface and output as shared/peer/torch_bench.py (kept separate so that file stays untouched):
    /usr/bin/python3 bench/torch_two_stage.py [--threads 2] [--only NAME] [--json]

torchvision FasterRCNN / MaskRCNN on resnet_fpn_backbone('resnet18') (FPN over C2-C5 + pooled P6,
256 channels, FrozenBatchNorm2d), 21 classes (20 + background, as detkit's 20), min/max size 512,
batch 2 of random 512x512 images with the same 3 boxes (and their rectangles as masks), SGD step.
torchvision's defaults already match detkit's bench model (bench/two_stage_common.ts): 3 anchors per
location of 32-512 px, 2000 proposals per level before and per image after NMS 0.7, 256 RPN anchors
(1/2 positive) and 512 RoIs (1/4 positive, gts added) sampled per image, 7x7 box and 14x14 mask
RoIAlign on P2-P5 (the same level mapping), two 1024-wide FCs, 4 convs + deconv to 28x28 masks.
One difference is set here: RoIAlign samples adaptively (sampling_ratio 0, as mmdet's configs and
detkit's bench model) instead of torchvision's fixed 2x2 samples per bin.
"""
import argparse
import json
import resource
import statistics
import time

import torch
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops import MultiScaleRoIAlign


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times)


BOXES = [[40., 50., 200., 220.], [300., 310., 480., 500.], [100., 300., 180., 420.]]


def _targets(with_mask):
    boxes = torch.tensor(BOXES)
    out = []
    for _ in range(2):
        t = {'boxes': boxes.clone(), 'labels': torch.tensor([1, 5, 9])}
        if with_mask:
            masks = torch.zeros(3, 512, 512, dtype=torch.uint8)
            for i, (x1, y1, x2, y2) in enumerate(BOXES):
                masks[i, int(y1):int(y2), int(x1):int(x2)] = 1
            t['masks'] = masks
        out.append(t)
    return out


def _train_step(cls, with_mask):
    torch.manual_seed(0)
    backbone = resnet_fpn_backbone(backbone_name='resnet18', weights=None, trainable_layers=5)
    levels = ['0', '1', '2', '3']
    pools = {'box_roi_pool': MultiScaleRoIAlign(levels, 7, sampling_ratio=0)}
    if with_mask:
        pools['mask_roi_pool'] = MultiScaleRoIAlign(levels, 14, sampling_ratio=0)
    model = cls(backbone, num_classes=21, min_size=512, max_size=512, **pools).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    images = [torch.rand(3, 512, 512) for _ in range(2)]
    targets = _targets(with_mask)

    def step():
        opt.zero_grad()
        losses = model(images, targets)
        sum(losses.values()).backward()
        opt.step()
    return step


def faster_rcnn_r18_train_512():
    """Faster R-CNN, ResNet-18 + FPN, 20 classes, batch 2 of 512x512, 3 boxes each, SGD step."""
    return _train_step(FasterRCNN, False)


def mask_rcnn_r18_train_512():
    """Mask R-CNN, ResNet-18 + FPN, 20 classes, batch 2 of 512x512, 3 boxes + masks each, SGD step."""
    return _train_step(MaskRCNN, True)


WORKLOADS = {
    'faster-rcnn-r18-train-512': (faster_rcnn_r18_train_512, 2, 5),
    'mask-rcnn-r18-train-512': (mask_rcnn_r18_train_512, 2, 5),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--only', action='append')
    ap.add_argument('--json', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = {}
    for name, (make, warmup, runs) in WORKLOADS.items():
        if args.only and name not in args.only:
            continue
        out[name] = round(timed(make(), warmup, runs), 2)
        if not args.json:
            print(f'{name:28s} {out[name]:10.2f} ms (median, torch {torch.__version__}, {args.threads} threads)')
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    if args.json:
        print(json.dumps({'torch': torch.__version__, 'threads': args.threads, 'median_ms': out,
                          'peak_rss_mb': peak_mb}))
    else:
        print(f'peak resident memory {peak_mb} MB (one workload per process for a per-workload figure)')


if __name__ == '__main__':
    main()
