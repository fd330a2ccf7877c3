#!/usr/bin/env python3
"""Times pycocotools on the `coco-eval-5k` benchmark data and prints its 12 stats as JSON.

The data comes from the seeded generator shared with detkit's bench workload:

    node --import tsx tools/gen_coco_bench.ts /tmp/coco5k
    python3 tools/gen_coco_bench.py /tmp/coco5k                      # importable pycocotools (e.g. the 2.0.11 wheel)
    python3 tools/gen_coco_bench.py /tmp/coco5k --cocoapi PYTHONAPI  # a cocoapi checkout's PythonAPI/

With `--cocoapi` and no compiled `_mask` extension, `coco.py`/`cocoeval.py` of the checkout run
unchanged and only `maskUtils.iou` for boxes is replaced by a numpy port of maskApi.c `bbIou`
(bbox evaluation uses nothing else from the C extension); matplotlib is stubbed (display only).
The timing then covers pycocotools' Python code, which is where its time goes.
"""
import argparse
import json
import os
import sys
import time
import types


def install_shim(pythonapi):
    import numpy as np
    if not hasattr(np, 'float'):
        np.float = float  # cocoapi master still uses the removed alias
    for name in ['matplotlib', 'matplotlib.pyplot', 'matplotlib.collections', 'matplotlib.patches']:
        mod = types.ModuleType(name)
        mod.PatchCollection = mod.Polygon = object
        sys.modules[name] = mod
    pkg = types.ModuleType('pycocotools')
    pkg.__path__ = [os.path.join(pythonapi, 'pycocotools')]
    sys.modules['pycocotools'] = pkg
    mask = types.ModuleType('pycocotools.mask')

    def iou(dt, gt, iscrowd):
        if len(dt) == 0 or len(gt) == 0:
            return []
        d = np.asarray(dt, dtype=np.float64).reshape(-1, 4)
        g = np.asarray(gt, dtype=np.float64).reshape(-1, 4)
        crowd = np.asarray(iscrowd, dtype=bool)
        w = np.minimum(d[:, None, 0] + d[:, None, 2], g[None, :, 0] + g[None, :, 2]) - np.maximum(d[:, None, 0], g[None, :, 0])
        h = np.minimum(d[:, None, 1] + d[:, None, 3], g[None, :, 1] + g[None, :, 3]) - np.maximum(d[:, None, 1], g[None, :, 1])
        inter = np.where((w > 0) & (h > 0), w * h, 0.0)
        da = (d[:, 2] * d[:, 3])[:, None]
        ga = (g[:, 2] * g[:, 3])[None, :]
        union = np.where(crowd[None, :], da, da + ga - inter)
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.where(inter > 0, inter / union, 0.0)

    mask.iou = iou
    sys.modules['pycocotools.mask'] = mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('data_dir')
    ap.add_argument('--cocoapi', help='path of a cocoapi PythonAPI/ folder (pure-Python run with a numpy bbox IoU)')
    args = ap.parse_args()
    if args.cocoapi:
        install_shim(args.cocoapi)
    import contextlib
    import io
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    t0 = time.perf_counter()
    c0 = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(os.path.join(args.data_dir, 'gt.json'))
        with open(os.path.join(args.data_dir, 'dt.json')) as f:
            dets = json.load(f)
    t1 = time.perf_counter()
    c1 = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        E = COCOeval(gt, gt.loadRes(dets), 'bbox')
        E.evaluate()
        E.accumulate()
        E.summarize()
    t2 = time.perf_counter()
    c2 = time.process_time()
    print(json.dumps({'stats': [float(s) for s in E.stats], 'load_s': t1 - t0, 'eval_s': t2 - t1,
                      'load_cpu_s': c1 - c0, 'eval_cpu_s': c2 - c1, 'shim': bool(args.cocoapi)}))


if __name__ == '__main__':
    main()
