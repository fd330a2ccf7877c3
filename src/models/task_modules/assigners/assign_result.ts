/**
 * @module Port of `mmdet/core/bbox/assigners/assign_result.py` @ v2.28.2.
 */

/**
 * Result of assigning boxes to ground truths.
 * `gtInds[i]`: 0 = negative, -1 = ignored, k > 0 = assigned to gt `k - 1` (1-based, as mmdet).
 */
export class AssignResult {
  constructor(
    /** Number of ground truths. */
    public numGts: number,
    /** `[n]` assigned gt index (1-based; 0 negative; -1 ignore). */
    public gtInds: Int32Array,
    /** `[n]` IoU with the assigned (or best) gt. */
    public maxOverlaps: Float32Array,
    /** `[n]` label of the assigned gt, -1 for none; null when labels were not given. */
    public labels: Int32Array | null,
  ) {}

  /** Number of assigned boxes. */
  get numPreds(): number {
    return this.gtInds.length;
  }

  /** Prepends the gts themselves as self-assigned proposals (`add_gt_`). */
  addGt(gtLabels: Int32Array): void {
    const g = gtLabels.length;
    const inds = new Int32Array(g + this.gtInds.length);
    for (let i = 0; i < g; i++) inds[i] = i + 1;
    inds.set(this.gtInds, g);
    const ov = new Float32Array(g + this.maxOverlaps.length);
    ov.fill(1, 0, g);
    ov.set(this.maxOverlaps, g);
    this.gtInds = inds;
    this.maxOverlaps = ov;
    if (this.labels !== null) {
      const lab = new Int32Array(g + this.labels.length);
      lab.set(gtLabels, 0);
      lab.set(this.labels, g);
      this.labels = lab;
    }
  }
}
