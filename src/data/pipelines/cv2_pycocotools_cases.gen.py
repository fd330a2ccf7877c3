# Generates cv2_pycocotools_cases.json (reference outputs for parity.test.ts).
# Run with opencv-python-headless and pycocotools installed, e.g. from the local wheels:
#   python3 -m venv /tmp/v && /tmp/v/bin/pip install --no-index --find-links /opt/pypi/files opencv-python-headless pycocotools
#   /tmp/v/bin/python src/data/pipelines/cv2_pycocotools_cases.gen.py
import cv2, numpy as np, json, base64, pycocotools
from pycocotools import mask as mu
rng = np.random.RandomState(0)
b64 = lambda a: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()
resize = []
for (w, h), (nw, nh) in [((23, 17), (61, 45)), ((41, 29), (27, 19)), ((32, 24), (16, 12)), ((20, 28), (29, 40))]:
    img = rng.randint(0, 256, (h, w, 3)).astype(np.uint8)
    resize.append(dict(w=w, h=h, nw=nw, nh=nh, img=b64(img),
        linear_u8=b64(cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)),
        linear_f32=b64(cv2.resize(img.astype(np.float32), (nw, nh), interpolation=cv2.INTER_LINEAR)),
        nearest_u8=b64(cv2.resize(img, (nw, nh), interpolation=cv2.INTER_NEAREST))))
# mmcv imnormalize_ as mmdet's Normalize(mean, std, to_rgb=True) calls it (mean/std stored as float32)
nimg = rng.randint(0, 256, (10, 20, 3)).astype(np.uint8)
mean = np.array([123.675, 116.28, 103.53], dtype=np.float32); std = np.array([58.395, 57.12, 57.375], dtype=np.float32)
x = nimg.copy().astype(np.float32)
cv2.cvtColor(x, cv2.COLOR_BGR2RGB, x); cv2.subtract(x, np.float64(mean.reshape(1, -1)), x); cv2.multiply(x, 1 / np.float64(std.reshape(1, -1)), x)
normalize = dict(w=20, h=10, img=b64(nimg), out=b64(x), mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375])
polys = []
prng = np.random.RandomState(1)
for k in range(12):
    h, w = int(prng.randint(16, 40)), int(prng.randint(16, 40))
    n = int(prng.randint(3, 12))
    cx, cy = prng.uniform(0, w), prng.uniform(0, h)
    ang = np.sort(prng.uniform(0, 2*np.pi, n)); r = prng.uniform(2, 20, n)
    p = np.round(np.stack([cx + r*np.cos(ang), cy + r*np.sin(ang)], 1).reshape(-1) * 100) / 100
    segm = [p.tolist()] + ([(p * 0.5).tolist()] if k % 3 == 0 else [])
    rle = mu.merge(mu.frPyObjects(segm, h, w))
    polys.append(dict(h=h, w=w, segm=segm, counts=rle['counts'].decode(), mask=b64(mu.decode(rle).astype(np.uint8))))
json.dump(dict(
  about='Reference outputs of mmcv imnormalize_ (cv2), cv2.resize (INTER_LINEAR / INTER_NEAREST, uint8 and float32 HWC) and pycocotools frPyObjects+merge+decode (row-major uint8 masks), made by data/pipelines test fixture generator with seeded numpy inputs.',
  tools=dict(opencv=cv2.__version__, numpy=np.__version__, pycocotools='2.0.11'), resize=resize, normalize=normalize, polys=polys),
  open(__file__.replace('.gen.py', '.json'), 'w'))
