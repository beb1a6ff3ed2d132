/** How training figures are written for staff (the CLI, the admin pages, the yearly report). */

const percent = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/**
 * A share (0..1) as a Vietnamese percentage with at most one decimal: "85,7%"; "–" for null
 * (no officials, so no share).
 *
 * @example formatShare(6 / 7) // '85,7%'
 */
export function formatShare(share: number | null, target?: number): string {
  return share === null ? '–' : `${percent.format(sharePercent(share, target))}%`;
}

/**
 * A share (0..1) as a percentage with one decimal, rounded to nearest, except that a share under
 * its `target` (0..1) is never written as the target or more: rounded to nearest, 224 of 249
 * cases handled (89,96%) was written "90%" beside "chưa đạt chỉ tiêu 90%". Such a share is
 * rounded down instead (89,9%).
 *
 * @example sharePercent(2 / 3) // 66.7
 * @example sharePercent(224 / 249, 0.9) // 89.9
 */
export function sharePercent(share: number, target?: number): number {
  const shown = Math.round(share * 1000) / 10;
  if (target !== undefined && share < target - 1e-9 && shown >= Math.round(target * 1000) / 10) return Math.floor(share * 1000) / 10;
  return shown;
}
