#!/usr/bin/env python3
"""Generates the golden fixtures of detkit's detection ops (src/ops/) with PyTorch + torchvision.

How to run (from the repo root; needs Debian's python3-torch and python3-torchvision):

    /usr/bin/python3 tools/gen_op_fixtures.py            # writes test/fixtures/ops/*.json

Run it once; the JSON files are committed and read by test/golden/ops.test.ts. Re-running with
the same torch/torchvision builds reproduces the same files (torch.manual_seed(0) per file).
Generated with torch 1.13 / torchvision 0.14 (Debian bookworm).

Where the reference comes from (mmcv is not installable here, so some references are the mmcv /
mmdet formulas written out below in torch, on top of torchvision's kernels):
  nms.json            torchvision.ops.nms (== mmcv nms with offset=0: both suppress IoU > thr; torchvision
                      sorts scores with a STABLE descending sort, so ties keep input order; it compares
                      with a double threshold, mmcv with a float one, which differs only when an IoU
                      equals the threshold in float32 - no offset=0 case has that). offset=1 cases use
                      `nms_legacy_ref` below (mmcv's legacy +1 widths, float32 threshold), whose integer
                      boxes do hit IoU == threshold.
  batched_nms.json    mmcv 1.x `batched_nms` rules (`batched_nms_ref`): coordinate offset per class below
                      split_thr, per-class loop above it, max_num, class_agnostic; nms_op = torchvision nms.
                      Porting note: mmcv's final sorts use torch's unstable sort; the reference re-sorts
                      with a stable sort so tie order is defined (input order), as detkit does.
  soft_nms.json       mmcv `soft_nms` (`soft_nms_ref`: mmcv's CPU kernel `softnms_cpu` transcribed in numpy
                      float32), alone and inside `batched_nms_ref` with type='soft_nms'.
  multiclass_nms.json mmdet 2.28 `multiclass_nms` (`multiclass_nms_ref`) on top of `batched_nms_ref`.
  bbox_overlaps.json  mmdet 2.28 `bbox_overlaps` (`bbox_overlaps_ref`), incl. the eps clamp of the union,
                      plus d(sum(w * overlaps))/d(bboxes1) from torch autograd.
  roi_align.json      torchvision.ops.roi_align (== mmcv RoIAlign with pool_mode='avg'), features stored NHWC,
                      outputs [K, ph, pw, C]; grad = d(sum(out * g))/d(features) from torch autograd.
  focal_loss.json     mmdet's `py_sigmoid_focal_loss` formula (== mmcv sigmoid_focal_loss on int labels, with
                      label == num_classes meaning background) + mmdet `weight_reduce_loss`, and its grad.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import nms as tv_nms
from torchvision.ops import roi_align as tv_roi_align

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'ops')


def flat(t):
    return t.detach().reshape(-1).tolist()


def rand_boxes(n, size=100.0, max_wh=30.0, min_wh=0.0):
    xy = torch.rand(n, 2) * size
    wh = torch.rand(n, 2) * (max_wh - min_wh) + min_wh
    return torch.cat([xy, xy + wh], 1)


def write(name, obj):
    obj = {'generator': 'tools/gen_op_fixtures.py', 'torch': torch.__version__,
           'torchvision': torchvision.__version__, **obj}
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
    print(f'{path}: {os.path.getsize(path)} bytes')


# ----------------------------------------------------------------------------------------- nms
def nms_legacy_ref(boxes, scores, thr, offset):
    """mmcv nms_cpu with `offset` (0 or 1), float32 arithmetic and threshold, stable descending order."""
    thr32 = float(np.float32(thr))
    order = torch.sort(scores, descending=True, stable=True)[1].tolist()
    x1, y1, x2, y2 = [boxes[:, i] for i in range(4)]
    areas = (x2 - x1 + offset) * (y2 - y1 + offset)
    sup = [False] * len(order)
    keep = []
    for a, i in enumerate(order):
        if sup[a]:
            continue
        keep.append(i)
        for b in range(a + 1, len(order)):
            if sup[b]:
                continue
            j = order[b]
            w = torch.clamp(torch.min(x2[i], x2[j]) - torch.max(x1[i], x1[j]) + offset, min=0)
            h = torch.clamp(torch.min(y2[i], y2[j]) - torch.max(y1[i], y1[j]) + offset, min=0)
            inter = w * h
            if (inter / (areas[i] + areas[j] - inter)).item() > thr32:
                sup[b] = True
    return keep


def gen_nms():
    torch.manual_seed(0)
    cases = []

    def add(name, boxes, scores, thr, offset=0):
        if offset == 0:
            keep = tv_nms(boxes, scores, thr).tolist()
        else:
            keep = nms_legacy_ref(boxes, scores, thr, offset)
        cases.append({'name': name, 'n': boxes.shape[0], 'boxes': flat(boxes), 'scores': flat(scores),
                      'iou_threshold': thr, 'offset': offset, 'keep': keep})

    add('empty', torch.zeros(0, 4), torch.zeros(0), 0.5)
    add('single', torch.tensor([[1., 2., 10., 20.]]), torch.tensor([0.3]), 0.5)
    b = rand_boxes(300)
    add('random_300_iou0.5', b, torch.rand(300), 0.5)
    add('random_300_iou0.3', b, torch.rand(300), 0.3)
    add('random_300_iou0.7', b, torch.rand(300), 0.7)
    # ties: scores quantised to 4 levels, heavily overlapping boxes
    b = rand_boxes(200, size=40.0)
    s = torch.randint(0, 4, (200,)).float() / 4
    add('ties_200', b, s, 0.5)
    add('all_equal_scores_100', rand_boxes(100, size=30.0), torch.full((100,), 0.5), 0.4)
    # degenerate: zero-width / zero-height / point boxes mixed with normal ones, duplicates
    b = rand_boxes(60, size=20.0)
    b[::5, 2] = b[::5, 0]
    b[1::5, 3] = b[1::5, 1]
    b[2::7, 2:] = b[2::7, :2]
    b[3] = b[4]
    add('degenerate_60', b, torch.rand(60), 0.5)
    add('degenerate_60_iou0', b, torch.rand(60), 0.0)
    b = torch.round(rand_boxes(80, size=30.0, max_wh=10.0))
    add('offset1_80', b, torch.rand(80), 0.5, offset=1)
    add('offset1_ties_80', b, torch.randint(0, 3, (80,)).float(), 0.3, offset=1)
    write('nms.json', {'cases': cases})


# ---------------------------------------------------------------------------------- batched_nms
def stable_by_score(keep, scores):
    """Reorders `keep` by descending score, ties by position in `keep` (stable)."""
    if keep.numel() == 0:
        return keep
    return keep[torch.sort(scores, descending=True, stable=True)[1]]


def batched_nms_ref(boxes, scores, idxs, cfg, class_agnostic=False):
    """mmcv 1.x batched_nms (type 'nms'), nms_op = torchvision nms (+ max_num)."""
    cfg = dict(cfg)
    class_agnostic = cfg.pop('class_agnostic', class_agnostic)
    cfg.pop('type', None)
    thr = cfg.pop('iou_threshold')
    split_thr = cfg.pop('split_thr', 10000)
    max_num = cfg.pop('max_num', -1)
    if boxes.shape[0] == 0:
        return torch.zeros(0, 5), torch.zeros(0, dtype=torch.long)
    if class_agnostic:
        bfn = boxes
    else:
        mx = boxes.max()
        bfn = boxes + (idxs.to(boxes) * (mx + torch.tensor(1).to(boxes)))[:, None]
    if bfn.shape[0] < split_thr:
        keep = tv_nms(bfn, scores, thr)
        if max_num > 0:
            keep = keep[:max_num]
        return torch.cat([boxes[keep], scores[keep][:, None]], -1), keep
    total = torch.zeros_like(scores, dtype=torch.bool)
    for cid in torch.unique(idxs):
        mask = (idxs == cid).nonzero(as_tuple=False).view(-1)
        k = tv_nms(bfn[mask], scores[mask], thr)
        total[mask[k]] = True
    keep = total.nonzero(as_tuple=False).view(-1)
    keep = stable_by_score(keep, scores[keep])
    if max_num > 0:
        keep = keep[:max_num]
    return torch.cat([boxes[keep], scores[keep][:, None]], -1), keep


def gen_batched_nms():
    torch.manual_seed(1)
    cases = []

    def add(name, boxes, scores, idxs, cfg, class_agnostic=False):
        dets, keep = batched_nms_ref(boxes, scores, idxs, cfg, class_agnostic)
        cases.append({'name': name, 'n': boxes.shape[0], 'boxes': flat(boxes), 'scores': flat(scores),
                      'idxs': idxs.tolist(), 'nms_cfg': cfg, 'class_agnostic': class_agnostic,
                      'dets': flat(dets), 'keep': keep.tolist()})

    add('empty', torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.long), {'iou_threshold': 0.5})
    add('single', torch.tensor([[0., 0., 5., 5.]]), torch.tensor([0.9]), torch.tensor([3]), {'iou_threshold': 0.5})
    b = rand_boxes(250, size=60.0)
    s = torch.rand(250)
    i = torch.randint(0, 5, (250,))
    add('offset_trick_5cls', b, s, i, {'type': 'nms', 'iou_threshold': 0.5})
    add('offset_trick_max_num', b, s, i, {'type': 'nms', 'iou_threshold': 0.5, 'max_num': 20})
    add('class_agnostic', b, s, i, {'type': 'nms', 'iou_threshold': 0.5, 'class_agnostic': True})
    add('class_agnostic_arg', b, s, i, {'iou_threshold': 0.6}, class_agnostic=True)
    add('split_loop_5cls', b, s, i, {'type': 'nms', 'iou_threshold': 0.5, 'split_thr': 100})
    add('split_loop_max_num', b, s, i, {'type': 'nms', 'iou_threshold': 0.4, 'split_thr': 100, 'max_num': 30})
    st = torch.randint(0, 5, (250,)).float() / 5
    add('split_loop_ties', b, st, i, {'iou_threshold': 0.5, 'split_thr': 10})
    add('offset_trick_ties', b, st, i, {'iou_threshold': 0.5})
    write('batched_nms.json', {'cases': cases})


# ------------------------------------------------------------------------------------- soft_nms
def soft_nms_ref(boxes, scores, thr=0.3, sigma=0.5, min_score=1e-3, method='linear', offset=0):
    """mmcv softnms_cpu in float32: repeated arg-max with swaps, decay, drop below min_score."""
    f = np.float32
    b = boxes.numpy().astype(np.float32).copy()
    x1, y1, x2, y2 = [b[:, i].copy() for i in range(4)]
    sc = scores.numpy().astype(np.float32).copy()
    areas = ((x2 - x1 + f(offset)) * (y2 - y1 + f(offset))).astype(np.float32)
    inds = np.arange(len(sc))
    m = {'naive': 0, 'linear': 1, 'gaussian': 2}[method]
    thr, sigma, min_score = f(thr), f(sigma), f(min_score)
    n = len(sc)
    dets = np.zeros((n, 5), np.float32)
    arrs = [x1, y1, x2, y2, sc, areas, inds]
    i = 0
    while i < n:
        mp = i
        for p in range(i + 1, n):
            if sc[mp] < sc[p]:
                mp = p
        dets[i] = [x1[mp], y1[mp], x2[mp], y2[mp], sc[mp]]
        for a in arrs:
            a[i], a[mp] = a[mp], a[i]
        ix1, iy1, ix2, iy2, iarea = x1[i], y1[i], x2[i], y2[i], areas[i]
        p = i + 1
        while p < n:
            w = max(f(0), f(f(min(ix2, x2[p]) - max(ix1, x1[p])) + f(offset)))
            h = max(f(0), f(f(min(iy2, y2[p]) - max(iy1, y1[p])) + f(offset)))
            inter = f(w * h)
            ovr = f(inter / f(f(iarea + areas[p]) - inter))
            weight = f(1)
            if m == 0:
                if ovr >= thr:
                    weight = f(0)
            elif m == 1:
                if ovr >= thr:
                    weight = f(f(1) - ovr)
            else:
                weight = f(np.exp(f(-f(ovr * ovr) / sigma)))
            sc[p] = f(sc[p] * weight)
            if sc[p] < min_score:
                for a in arrs:
                    a[p] = a[n - 1]
                n -= 1
                p -= 1
            p += 1
        i += 1
    return torch.from_numpy(dets[:n].copy()), torch.from_numpy(inds[:n].copy())


def batched_soft_nms_ref(boxes, scores, idxs, cfg):
    """mmcv batched_nms with type='soft_nms' (coordinate offsets; per-group loop above split_thr)."""
    cfg = dict(cfg)
    cfg.pop('type')
    split_thr = cfg.pop('split_thr', 10000)
    kw = dict(thr=cfg.pop('iou_threshold'), sigma=cfg.pop('sigma', 0.5), min_score=cfg.pop('min_score', 1e-3),
              method=cfg.pop('method', 'linear'))
    mx = boxes.max()
    bfn = boxes + (idxs.to(boxes) * (mx + torch.tensor(1).to(boxes)))[:, None]
    if bfn.shape[0] < split_thr:
        dets, keep = soft_nms_ref(bfn, scores, **kw)
        return torch.cat([boxes[keep], dets[:, -1:]], -1), keep
    total = torch.zeros_like(scores, dtype=torch.bool)
    after = torch.zeros_like(scores)
    for cid in torch.unique(idxs):
        mask = (idxs == cid).nonzero(as_tuple=False).view(-1)
        dets, k = soft_nms_ref(bfn[mask], scores[mask], **kw)
        total[mask[k]] = True
        after[mask[k]] = dets[:, -1]
    keep = total.nonzero(as_tuple=False).view(-1)
    keep = stable_by_score(keep, after[keep])
    return torch.cat([boxes[keep], after[keep][:, None]], -1), keep


def gen_soft_nms():
    torch.manual_seed(6)
    cases, batched = [], []

    def add(name, boxes, scores, thr, **kw):
        dets, inds = soft_nms_ref(boxes, scores, thr, **kw)
        cases.append({'name': name, 'n': boxes.shape[0], 'boxes': flat(boxes), 'scores': flat(scores),
                      'iou_threshold': thr, 'options': kw, 'dets': flat(dets), 'inds': inds.tolist()})

    add('empty', torch.zeros(0, 4), torch.zeros(0), 0.3)
    add('single', torch.tensor([[1., 2., 10., 20.]]), torch.tensor([0.3]), 0.3)
    b = rand_boxes(150, size=60.0)
    s = torch.rand(150)
    add('linear_150', b, s, 0.3)
    add('gaussian_150', b, s, 0.3, method='gaussian', sigma=0.5, min_score=0.05)
    add('naive_150', b, s, 0.5, method='naive')
    add('linear_ties_offset1', torch.round(b), torch.randint(1, 4, (150,)).float() / 4, 0.4, offset=1, min_score=0.01)

    def addb(name, boxes, scores, idxs, cfg):
        dets, keep = batched_soft_nms_ref(boxes, scores, idxs, cfg)
        batched.append({'name': name, 'n': boxes.shape[0], 'boxes': flat(boxes), 'scores': flat(scores),
                        'idxs': idxs.tolist(), 'nms_cfg': cfg, 'dets': flat(dets), 'keep': keep.tolist()})

    i = torch.randint(0, 3, (150,))
    addb('batched_soft_offset_trick', b, s, i, {'type': 'soft_nms', 'iou_threshold': 0.3, 'min_score': 0.05})
    addb('batched_soft_split_loop', b, s, i,
         {'type': 'soft_nms', 'iou_threshold': 0.3, 'method': 'gaussian', 'min_score': 0.05, 'split_thr': 20})
    write('soft_nms.json', {'cases': cases, 'batched': batched})


# ------------------------------------------------------------------------------- multiclass_nms
def multiclass_nms_ref(multi_bboxes, multi_scores, score_thr, nms_cfg, max_num=-1, score_factors=None):
    """mmdet 2.28 multiclass_nms (return_inds=True)."""
    n = multi_scores.shape[0]
    num_classes = multi_scores.shape[1] - 1
    if multi_bboxes.shape[1] > 4:
        bboxes = multi_bboxes.view(n, -1, 4)
    else:
        bboxes = multi_bboxes[:, None].expand(n, num_classes, 4)
    scores = multi_scores[:, :-1]
    labels = torch.arange(num_classes).view(1, -1).expand_as(scores)
    bboxes, scores, labels = bboxes.reshape(-1, 4), scores.reshape(-1), labels.reshape(-1)
    valid = scores > score_thr
    if score_factors is not None:
        scores = scores * score_factors.view(-1, 1).expand(n, num_classes).reshape(-1)
    inds = valid.nonzero(as_tuple=False).squeeze(1)
    bboxes, scores, labels = bboxes[inds], scores[inds], labels[inds]
    if bboxes.numel() == 0:
        return torch.cat([bboxes, scores[:, None]], -1), labels, inds
    dets, keep = batched_nms_ref(bboxes, scores, labels, nms_cfg)
    if max_num > 0:
        dets, keep = dets[:max_num], keep[:max_num]
    return dets, labels[keep], inds[keep]


def gen_multiclass_nms():
    torch.manual_seed(2)
    cases = []

    def add(name, mb, ms, thr, cfg, max_num=-1, sf=None):
        dets, labels, inds = multiclass_nms_ref(mb, ms, thr, cfg, max_num, sf)
        cases.append({'name': name, 'n': ms.shape[0], 'num_classes': ms.shape[1] - 1,
                      'multi_bboxes': flat(mb), 'box_dim': mb.shape[1], 'multi_scores': flat(ms),
                      'score_thr': thr, 'nms_cfg': cfg, 'max_num': max_num,
                      'score_factors': None if sf is None else flat(sf),
                      'dets': flat(dets), 'labels': labels.tolist(), 'inds': inds.tolist()})

    ms = torch.softmax(torch.randn(120, 4) * 2, 1)
    add('shared_boxes', rand_boxes(120, size=50.0), ms, 0.05, {'type': 'nms', 'iou_threshold': 0.5}, 100)
    add('class_specific_boxes', rand_boxes(120 * 3, size=50.0).view(120, 12), ms, 0.05,
        {'type': 'nms', 'iou_threshold': 0.5}, 100)
    add('max_num_10', rand_boxes(120, size=50.0), ms, 0.05, {'type': 'nms', 'iou_threshold': 0.5}, 10)
    add('score_factors', rand_boxes(120, size=50.0), ms, 0.05, {'type': 'nms', 'iou_threshold': 0.6}, -1,
        torch.rand(120))
    add('none_above_thr', rand_boxes(10), torch.full((10, 3), 0.01), 0.05, {'type': 'nms', 'iou_threshold': 0.5})
    add('empty', torch.zeros(0, 4), torch.zeros(0, 3), 0.05, {'type': 'nms', 'iou_threshold': 0.5})
    write('multiclass_nms.json', {'cases': cases})


# -------------------------------------------------------------------------------- bbox_overlaps
def bbox_overlaps_ref(b1, b2, mode='iou', is_aligned=False, eps=1e-6):
    """mmdet 2.28 bbox_overlaps (2-D inputs)."""
    rows, cols = b1.shape[0], b2.shape[0]
    if rows * cols == 0:
        return b1.new_zeros((rows,) if is_aligned else (rows, cols))
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    if is_aligned:
        lt, rb = torch.max(b1[:, :2], b2[:, :2]), torch.min(b1[:, 2:], b2[:, 2:])
        wh = (rb - lt).clamp(min=0)
        overlap = wh[:, 0] * wh[:, 1]
        union = area1 + area2 - overlap if mode in ('iou', 'giou') else area1
        if mode == 'giou':
            elt, erb = torch.min(b1[:, :2], b2[:, :2]), torch.max(b1[:, 2:], b2[:, 2:])
    else:
        lt = torch.max(b1[:, None, :2], b2[None, :, :2])
        rb = torch.min(b1[:, None, 2:], b2[None, :, 2:])
        wh = (rb - lt).clamp(min=0)
        overlap = wh[..., 0] * wh[..., 1]
        union = area1[:, None] + area2[None, :] - overlap if mode in ('iou', 'giou') else area1[:, None]
        if mode == 'giou':
            elt = torch.min(b1[:, None, :2], b2[None, :, :2])
            erb = torch.max(b1[:, None, 2:], b2[None, :, 2:])
    e = union.new_tensor([eps])
    union = torch.max(union, e)
    ious = overlap / union
    if mode in ('iou', 'iof'):
        return ious
    ewh = (erb - elt).clamp(min=0)
    earea = torch.max(ewh[..., 0] * ewh[..., 1], e)
    return ious - (earea - union) / earea


def gen_bbox_overlaps():
    torch.manual_seed(3)
    cases = []

    def add(name, b1, b2, mode, aligned, grad=True):
        x1 = b1.clone().requires_grad_(True)
        out = bbox_overlaps_ref(x1, b2, mode, aligned)
        w = torch.rand(out.shape)
        g = None
        # torch.max/min split the gradient in half on exact ties (tfjs gives it to one side): the
        # gradient is only recorded for cases without coordinate ties between the two sets.
        ties = bool((b1[:, None, :] == b2[None, :, :]).any()) if b1.numel() and b2.numel() else True
        if grad and not ties and out.numel() > 0:
            (out * w).sum().backward()
            g = flat(x1.grad)
        cases.append({'name': name, 'n': b1.shape[0], 'm': b2.shape[0], 'bboxes1': flat(b1), 'bboxes2': flat(b2),
                      'mode': mode, 'is_aligned': aligned, 'overlaps': flat(out), 'grad_weight': flat(w),
                      'grad_bboxes1': g})

    b1, b2 = rand_boxes(20, size=40.0), rand_boxes(15, size=40.0)
    b1[3, 2] = b1[3, 0]  # zero width
    b1[4, 2:] = b1[4, :2]  # point
    b2[0] = b1[0]  # identical pair
    b2[1] = torch.tensor([200., 200., 210., 210.])  # disjoint from everything
    for mode in ('iou', 'iof', 'giou'):
        add(f'{mode}_20x15', b1, b2, mode, False)
        add(f'{mode}_aligned_15', b1[:15], b2, mode, True)
    g1, g2 = rand_boxes(12, size=40.0), rand_boxes(10, size=40.0)
    for mode in ('iou', 'iof', 'giou'):
        add(f'{mode}_grad_12x10', g1, g2, mode, False)
        add(f'{mode}_grad_aligned_10', g1[:10], g2, mode, True)
    add('empty_rows', torch.zeros(0, 4), b2, 'iou', False)
    add('empty_cols', b1, torch.zeros(0, 4), 'giou', False)
    add('empty_aligned', torch.zeros(0, 4), torch.zeros(0, 4), 'iou', True)
    add('single', b1[:1], b2[:1], 'giou', False)
    write('bbox_overlaps.json', {'cases': cases})


# ------------------------------------------------------------------------------------ roi_align
def gen_roi_align():
    torch.manual_seed(4)
    cases = []

    def add(name, feat, rois, out_size, scale, sr, aligned):
        f = feat.clone().requires_grad_(True)
        out = tv_roi_align(f, rois, out_size, spatial_scale=scale, sampling_ratio=sr, aligned=aligned)
        g = torch.randn(out.shape)
        if out.numel() > 0:
            (out * g).sum().backward()
            grad = f.grad
        else:
            grad = torch.zeros_like(feat)
        cases.append({
            'name': name, 'features_shape': list(feat.permute(0, 2, 3, 1).shape),
            'features': flat(feat.permute(0, 2, 3, 1)), 'rois': flat(rois), 'k': rois.shape[0],
            'output_size': list(out_size), 'spatial_scale': scale, 'sampling_ratio': sr, 'aligned': aligned,
            'output': flat(out.permute(0, 2, 3, 1)), 'grad_output': flat(g.permute(0, 2, 3, 1)),
            'grad_features': flat(grad.permute(0, 2, 3, 1))})

    feat = torch.randn(2, 3, 9, 11)
    # rois in image pixels (scale 0.5 => 18x22 image); some reach outside the map, one zero-size,
    # one degenerate line, one tiny (sub-pixel) box
    rois = torch.tensor([
        [0, 0.0, 0.0, 21.0, 17.0],
        [1, 3.3, 2.7, 15.9, 11.2],
        [0, -4.0, -3.0, 6.0, 5.0],
        [1, 14.0, 10.0, 30.0, 25.0],
        [0, 5.0, 5.0, 5.0, 5.0],
        [1, 2.0, 8.0, 12.0, 8.0],
        [0, 7.1, 3.2, 7.6, 3.9],
        [1, 0.5, 0.5, 20.5, 3.5],
    ])
    for aligned in (True, False):
        for sr in (0, 2):
            add(f'mixed_aligned{int(aligned)}_sr{sr}', feat, rois, (3, 4), 0.5, sr, aligned)
    rand = torch.cat([torch.randint(0, 2, (12, 1)).float(), rand_boxes(12, size=18.0, max_wh=12.0)], 1)
    add('random_7x7_aligned_sr0', feat, rand, (7, 7), 0.5, 0, True)
    add('random_2x2_scale1_sr1', feat, rand / torch.tensor([1, 2, 2, 2, 2.]), (2, 2), 1.0, 1, False)
    add('empty_rois', feat, torch.zeros(0, 5), (2, 2), 0.5, 0, True)
    # C a multiple of 4 (detkit's SIMD path), FPN-like stride 1/4, multi-sample bins
    feat8 = torch.randn(2, 8, 12, 12)
    rois8 = torch.cat([torch.randint(0, 2, (10, 1)).float(), rand_boxes(10, size=40.0, max_wh=20.0, min_wh=1.0)], 1)
    add('c8_aligned_sr0', feat8, rois8, (7, 7), 0.25, 0, True)
    add('c8_legacy_sr2', feat8, rois8, (3, 3), 0.25, 2, False)
    write('roi_align.json', {'cases': cases})


# ----------------------------------------------------------------------------------- focal loss
def focal_ref(pred, target_onehot, gamma, alpha):
    p = pred.sigmoid()
    t = target_onehot.type_as(pred)
    pt = (1 - p) * t + p * (1 - t)
    fw = (alpha * t + (1 - alpha) * (1 - t)) * pt.pow(gamma)
    return F.binary_cross_entropy_with_logits(pred, t, reduction='none') * fw


def weight_reduce(loss, weight, reduction, avg_factor):
    if weight is not None:
        loss = loss * weight
    if avg_factor is None:
        return {'none': loss, 'mean': loss.mean(), 'sum': loss.sum()}[reduction]
    if reduction == 'mean':
        return loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)
    return loss


def gen_focal():
    torch.manual_seed(5)
    cases = []

    def add(name, n, c, labels, gamma, alpha, weight, reduction, avg_factor, onehot_input):
        logits = (torch.randn(n, c) * 3).requires_grad_(True)
        oh = F.one_hot(labels, num_classes=c + 1)[:, :c]
        loss_el = focal_ref(logits, oh, gamma, alpha)
        w = weight
        if w is not None and w.dim() == 1:
            w = w.view(-1, 1)
        out = weight_reduce(loss_el, w, reduction, avg_factor)
        g = torch.rand(out.shape)
        (out * g).sum().backward()
        cases.append({'name': name, 'n': n, 'c': c, 'logits': flat(logits), 'labels': labels.tolist(),
                      'onehot_input': onehot_input, 'gamma': gamma, 'alpha': alpha,
                      'weight': None if weight is None else flat(weight),
                      'weight_shape': None if weight is None else list(weight.shape),
                      'reduction': reduction, 'avg_factor': avg_factor, 'loss': flat(out),
                      'grad_weight': flat(g), 'grad_logits': flat(logits.grad)})

    lab = torch.randint(0, 6, (30,))  # 5 classes, label 5 = background
    add('mean_labels', 30, 5, lab, 2.0, 0.25, None, 'mean', None, False)
    add('sum_labels', 30, 5, lab, 2.0, 0.25, None, 'sum', None, False)
    add('none_labels', 30, 5, lab, 2.0, 0.25, None, 'none', None, False)
    add('avg_factor_labels', 30, 5, lab, 2.0, 0.25, None, 'mean', 7.0, False)
    add('sample_weight', 30, 5, lab, 2.0, 0.25, torch.rand(30), 'mean', 11.0, False)
    add('elementwise_weight', 30, 5, lab, 2.0, 0.25, torch.rand(30, 5), 'sum', None, False)
    add('onehot_gamma1.5_alpha0.5', 30, 5, lab, 1.5, 0.5, None, 'mean', 4.0, True)
    add('all_background', 8, 3, torch.full((8,), 3, dtype=torch.long), 2.0, 0.25, None, 'mean', 1.0, False)
    write('focal_loss.json', {'cases': cases})


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    gen_nms()
    gen_batched_nms()
    gen_soft_nms()
    gen_multiclass_nms()
    gen_bbox_overlaps()
    gen_roi_align()
    gen_focal()
